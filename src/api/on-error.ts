import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { WeftError } from '../errors.js';
import { problem, problemFor } from './problem.js';

/**
 * The one place errors become responses: Weft's typed errors keep their status, Temporal's "not found" is a
 * 404, anything unexpected is a 500 that hides internals (and is logged).
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof WeftError) return problemFor(c, err);
  if (err instanceof WorkflowNotFoundError) return problem(c, 404, 'not-found', 'run does not exist');
  if (err instanceof HTTPException) return problem(c, err.status, 'about:blank', err.message || 'request failed');
  console.error(`[api] ${c.req.method} ${c.req.path} failed:`, err);
  return problem(c, 500, 'about:blank', 'internal error');
}
