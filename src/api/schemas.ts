import { z } from '@hono/zod-openapi';

/** A problem+json body, as every error response carries it. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  instance: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), line: z.number().int().optional(), column: z.number().int().optional() })).optional(),
}).openapi('Problem');

/** Error responses every route may give, for the OpenAPI document. */
export const problemResponses = (...statuses: Array<400 | 404 | 409 | 413 | 415 | 422 | 503>) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'problem', content: { 'application/problem+json': { schema: problemSchema } } }]));

/** A cursor-paginated page. */
export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** The `limit` and `cursor` query of list routes. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

/**
 * A shared zod object schema (defined outside the API, so created before zod gained `.openapi()`), named as an
 * OpenAPI component. Zod 4 gives each schema its methods when it is created, so the top level is rebuilt here.
 */
export function component<T extends z.ZodRawShape>(schema: { shape: T }, name: string) {
  return z.object(schema.shape).openapi(name);
}
