import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

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

/** The search attributes a run starts with, whether the API starts it or a parent run does. */
export function startingSearchAttributes(run: { templateId: string; templateVersion: number; trigger: string }): SearchAttributePair[] {
  return [
    { key: searchAttributes.templateId, value: run.templateId },
    { key: searchAttributes.templateVersion, value: run.templateVersion },
    { key: searchAttributes.status, value: 'running' },
    { key: searchAttributes.trigger, value: run.trigger },
  ];
}
