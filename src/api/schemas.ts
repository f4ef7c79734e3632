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

/** Decimal digits, as a whole number in a query or path is written. */
const wholeNumberText = /^\d+$/;

/**
 * A whole number from a query or path's text, or undefined when the text is not one: decimal digits only, where
 * `Number()` also reads an empty value (as 0), spaces, hex and exponents.
 */
export function wholeNumberIn(text: string, max: number): number | undefined {
  if (!wholeNumberText.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/**
 * A number in a query or path: text that `pattern` takes is read as a number and held to `bounds`; any other text
 * is refused with `howToWrite`, and a number out of bounds gets zod's own message, which names its range.
 */
function writtenNumber(pattern: RegExp, howToWrite: string, bounds: (number: z.ZodNumber) => z.ZodNumber) {
  return z.preprocess(
    (value) => (typeof value === 'string' && pattern.test(value) ? Number(value) : value),
    bounds(z.number({ error: (issue) => (issue.code === 'invalid_type' ? howToWrite : undefined) })),
  );
}

/**
 * A whole number in a query or path, `min` to `max`, written in decimal digits (see {@link wholeNumberIn}); the
 * OpenAPI document shows it as the integer it is.
 */
export const wholeNumberParam = (min: number, max: number) =>
  writtenNumber(wholeNumberText, 'must be a whole number, written in decimal digits', (n) => n.int().min(min).max(max));

/** A number of seconds in a query, `0` to `max`, in decimal digits with an optional fraction (`0.5`). */
export const secondsParam = (max: number) =>
  writtenNumber(/^\d+(\.\d+)?$/, 'must be a number of seconds, written in decimal digits (0.5 for half a second)', (n) => n.min(0).max(max));

/** The `limit` and `cursor` query of list routes. */
export const pageQuerySchema = z.object({
  limit: wholeNumberParam(1, 200).default(50),
  cursor: z.string().optional(),
});

/**
 * A shared zod object schema (defined outside the API, so created before zod gained `.openapi()`), named as an
 * OpenAPI component. Zod 4 gives each schema its methods when it is created, so the top level is rebuilt here.
 */
export function component<T extends z.ZodRawShape>(schema: { shape: T }, name: string) {
  return z.object(schema.shape).openapi(name);
}
