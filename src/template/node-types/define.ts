import type { z } from 'zod';

/**
 * A node type as the template language knows it: its config schema and where it executes. The validator,
 * the API's node catalog and the docs all read this; the interpreter dispatches on `type`.
 */
export interface NodeTypeDefinition<Config = unknown> {
  type: string;
  title: string;
  description: string;
  /** Checks a node's `config` at upload; strings in it may hold `{{ }}` expressions. */
  config: z.ZodType<Config>;
  /** `activity`: runs as the activity named after the type; `workflow`: runs inside the interpreter itself. */
  runsAs: 'activity' | 'workflow';
}

/** Declares a node type; the identity function that fixes its config type. */
export function defineNodeType<Config>(definition: NodeTypeDefinition<Config>): NodeTypeDefinition<Config> {
  return definition;
}
