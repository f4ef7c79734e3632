import { z } from 'zod';
import { durationPattern } from './duration.js';
import { notPerItemTypes } from './map-inner.js';
import { templateSchema } from './model.js';
import { durationOrExpression, expressionField, timestampOrExpression } from './node-types/fields.js';
import { isoTimestampPattern } from './timestamp.js';
import { innerNodeSchema } from './node-types/map.js';
import { nodeTypes } from './node-types/index.js';

type JsonObject = Record<string, unknown>;

const configRef = (type: string): string => `#/$defs/config-${type}`;

/**
 * `if type is X then config is X's config`, for every node type: editors then complete and check a node's
 * config as soon as its `type` is written.
 */
function configByType(): JsonObject[] {
  return Object.keys(nodeTypes).map((type) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { config: { $ref: configRef(type) } } },
  }));
}

/** Text that is one `{{ }}` expression, as a pattern (the validator also checks there is only one). */
const expressionText = String.raw`\s*\{\{[\s\S]*\}\}\s*`;

/**
 * Patterns for the fields the validator checks with code: a JSON Schema cannot run it, but a pattern catches most
 * of what it refuses (`duration: abc`, a moment without a zone) where an editor shows it.
 */
const patterns = new Map<unknown, string>([
  [durationOrExpression, `^(?:${durationPattern.source.slice(1, -1)}|${expressionText})$`],
  [timestampOrExpression, `^(?:${isoTimestampPattern.source.slice(1, -1)}|${expressionText})$`],
  [expressionField, `^${expressionText}$`],
]);

/** A config's JSON Schema, with a map's inner node pointing at the shared discriminated definition. */
function configDefinition(config: z.ZodType): JsonObject {
  const schema = z.toJSONSchema(config, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const pattern = patterns.get(ctx.zodSchema);
      if (pattern) (ctx.jsonSchema as JsonObject).pattern = pattern;
      if (ctx.zodSchema !== innerNodeSchema) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonObject)[key];
      (ctx.jsonSchema as JsonObject).$ref = '#/$defs/inner-node';
    },
  }) as JsonObject;
  delete schema.$schema;
  return schema;
}

/**
 * The template language as a JSON Schema (2020-12), generated from the same zod schemas the validator uses.
 * Each node's `config` is tied to its `type` by `if`/`then`, so that editors (yaml-language-server, VS Code)
 * complete configs. The validator checks more than this schema can say (graph, expressions, older shapes).
 */
export function templateJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(templateSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const properties = schema.properties as JsonObject;
  const nodes = properties.nodes as JsonObject;
  const node = nodes.items as JsonObject;
  const types = Object.keys(nodeTypes);
  (node.properties as JsonObject).type = { enum: types, description: 'The node type; it decides what config holds.' };
  node.allOf = configByType();
  const innerNode = z.toJSONSchema(innerNodeSchema, { io: 'input' }) as JsonObject;
  delete innerNode.$schema;
  // A map runs these per item; the others need a template per item.
  (innerNode.properties as JsonObject).type = { enum: types.filter((type) => !notPerItemTypes.has(type)) };
  innerNode.allOf = configByType();
  const definitions: JsonObject = { 'inner-node': innerNode };
  for (const [type, definition] of Object.entries(nodeTypes)) {
    definitions[`config-${type}`] = { title: definition.title, description: definition.description, ...configDefinition(definition.config) };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'weft:template',
    title: 'Weft template',
    description: 'A versioned DAG of nodes; see docs/templates.md.',
    ...schema,
    $defs: definitions,
  };
}
