import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { WeftError } from '../errors.js';
import { temporalUnreachable } from '../temporal/unreachable.js';
import { jsonBreak } from './json-break.js';
import { problem, problemFor } from './problem.js';

/**
 * The one place errors become responses: Weft's typed errors keep their status, Temporal's "not found" is a
 * 404, Temporal out of reach a 503, anything unexpected is a 500 that hides internals (and is logged).
 */
export function onError(err: Error, c: Context): Response | Promise<Response> {
  if (err instanceof WeftError) return problemFor(c, err);
  if (err instanceof WorkflowNotFoundError) return problem(c, 404, 'not-found', 'run does not exist');
  if (err instanceof HTTPException && err.status === 415) return unsupportedMediaType(c);
  if (err instanceof HTTPException && err.status === 400 && err.message === malformedJson) return notJson(c);
  if (err instanceof HTTPException) return problem(c, err.status, 'about:blank', err.message || 'request failed');
  if (temporalUnreachable(err)) {
    console.warn(`[api] ${c.req.method} ${c.req.path}: Temporal cannot be reached:`, err.cause instanceof Error ? err.cause.message : err.message);
    c.header('Retry-After', '5');
    return problemFor(c, new WeftError('unavailable', 'Temporal cannot be reached: runs cannot be started, read or steered until it is back; try again'));
  }
  console.error(`[api] ${c.req.method} ${c.req.path} failed:`, err);
  return problem(c, 500, 'about:blank', 'internal error');
}

/**
 * A body in a media type the route does not declare: the OpenAPI layer refuses it before the handler runs. The
 * answer names the header and what to send instead.
 */
function unsupportedMediaType(c: Context): Response {
  const sent = c.req.header('content-type');
  const message = `${sent ? `"${sent}" is not taken here` : 'a body needs one'}: send application/json (a template upload also takes application/yaml)`;
  return problem(c, 415, 'unsupported-media-type', 'the request body is not in a media type this route takes', { errors: [{ path: 'headers.content-type', message }] });
}

// What the OpenAPI layer's JSON validator throws for a body `JSON.parse` refuses.
const malformedJson = 'Malformed JSON in request body';

/** A JSON body that does not parse: where it breaks, by line and column, as upload errors are given. */
async function notJson(c: Context): Promise<Response> {
  // The validator read the body already; Hono keeps it, so this reads it again without the stream.
  const text = await c.req.text().catch(() => undefined);
  let where: { message: string; line?: number; column?: number } = { message: 'the body is not valid JSON' };
  try {
    if (text !== undefined) JSON.parse(text);
  } catch (err) {
    // JSON.parse's own words, without the place it gives for some mistakes only: the place is given for all.
    const message = (err instanceof Error ? err.message : String(err)).replace(/ \(line \d+ column \d+\)$/, '');
    const offset = text === undefined ? undefined : jsonBreak(text);
    if (offset !== undefined) {
      const before = text!.slice(0, offset).split('\n');
      where = { message, line: before.length, column: before.at(-1)!.length + 1 };
    } else {
      where = { message };
    }
  }
  return problem(c, 400, 'bad-request', 'the request body is not valid JSON', { errors: [{ path: '(body)', ...where }] });
}
