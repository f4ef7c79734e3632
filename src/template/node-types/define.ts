import type { z } from 'zod';

/** A node nested in another node's config (a `map` node's per-item node), as the validator must check it. */
export interface InnerNode {
  /** Where the inner node sits, relative to the outer node's `config`. */
  path: Array<string | number>;
  /** The inner node itself; its `config` is replaced by the parsed config once it passes. */
  node: { type: string; config?: unknown };
}

/** A JSON Schema embedded in a node's config (an approval's `formSchema`), to be checked as one. */
export interface EmbeddedSchema {
  path: Array<string | number>;
  schema: unknown;
}

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
  /**
   * Top-level config keys evaluated once per item, where `item` and `index` are in scope. Everything else in
   * the config is evaluated once, in the node's own scope.
   */
  perItem?: readonly string[];
  /** Nodes nested in a parsed config, each checked against its own type. */
  innerNodes?: (config: Config) => InnerNode[];
  /** JSON Schemas embedded in a parsed config, each checked against the 2020-12 meta-schema. */
  embeddedSchemas?: (config: Config) => EmbeddedSchema[];
}

/** Declares a node type; the identity function that fixes its config type. */
export function defineNodeType<Config>(definition: NodeTypeDefinition<Config>): NodeTypeDefinition<Config> {
  return definition;
}
