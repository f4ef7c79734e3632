import type { MiddlewareHandler } from 'hono';
import { invalid } from '../errors.js';
import { problem } from './problem.js';

/**
 * Refuses a URL that carries U+0000 (NUL), which PostgreSQL cannot hold in text and so no id, filter or cursor can
 * match: in the path it names nothing (404), in a query parameter it is a bad value at `query.<name>` (422).
 * Checked once for every route, before any of them reads the database with it.
 */
export const refuseNulInUrl: MiddlewareHandler = async (c, next) => {
  const url = new URL(c.req.url);
  if (/%00/.test(url.pathname)) return problem(c, 404, 'not-found', `no resource at a path holding the character U+0000 (NUL)`);
  const bad = [...url.searchParams].filter(([name, value]) => name.includes('\0') || value.includes('\0')).map(([name]) => name);
  if (bad.length > 0) throw invalid('the request query is not valid', bad.map((name) => ({ path: `query.${name.replaceAll('\0', '\\0')}`, message: 'holds the character U+0000 (NUL)' })));
  await next();
};
