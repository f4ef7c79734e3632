import { z } from 'zod';
import { nodeTypes } from './index.js';

/** One entry of the node catalog the API serves: a node type and the JSON Schema of its config. */
export interface NodeCatalogEntry {
  type: string;
  title: string;
  description: string;
  runsAs: 'activity' | 'workflow';
  configSchema: Record<string, unknown>;
}

/**
 * JSON Schema (2020-12) of a node type's config as users write it: fields with defaults are optional.
 * Refinements (such as "exactly one of duration or until") are not expressible and are left to the validator.
 */
export function configJsonSchema(config: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(config, { io: 'input', unrepresentable: 'any' });
}

/** Every node type with its config's JSON Schema, for the API's node catalog and for editors. */
export function nodeCatalog(): NodeCatalogEntry[] {
  return Object.values(nodeTypes).map((definition) => ({
    type: definition.type,
    title: definition.title,
    description: definition.description,
    runsAs: definition.runsAs,
    configSchema: configJsonSchema(definition.config),
  }));
}
