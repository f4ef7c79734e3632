import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { templateJsonSchema } from '../../template/json-schema.js';
import { nodeCatalog } from '../../template/node-types/catalog.js';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * The template language for tools: its JSON Schema (for editors) and the node catalog (each node type with its
 * config schema). Both come from the node types' own zod schemas, computed once.
 */
export function schemaRoutes() {
  const schema = templateJsonSchema();
  const catalog = nodeCatalog();
  return new OpenAPIHono()
    .openapi(createRoute({
      method: 'get', path: '/schema/template.json', summary: 'The template language as a JSON Schema (2020-12), for editors',
      responses: { 200: { description: 'the schema', content: { 'application/schema+json': { schema: jsonObject } } } },
    }), (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(schema, 200, { 'content-type': 'application/schema+json' });
    })
    .openapi(createRoute({
      method: 'get', path: '/node-types', summary: 'Every node type with its config schema',
      responses: { 200: { description: 'the node catalog', content: { 'application/json': { schema: z.object({ items: z.array(jsonObject) }) } } } },
    }), (c) => c.json({ items: catalog as unknown as Array<Record<string, unknown>> }, 200));
}
