import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The search attributes Weft sets on every run, registered by the dev server from `temporal-dev.yml`
 * (a production cluster registers them once with `temporal operator search-attribute create`).
 */
export const searchAttributes = {
  templateId: defineSearchAttributeKey('WeftTemplateId', SearchAttributeType.KEYWORD),
  templateVersion: defineSearchAttributeKey('WeftTemplateVersion', SearchAttributeType.INT),
  status: defineSearchAttributeKey('WeftStatus', SearchAttributeType.KEYWORD),
  trigger: defineSearchAttributeKey('WeftTrigger', SearchAttributeType.KEYWORD),
} as const;
