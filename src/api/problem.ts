import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { WeftError, WeftErrorType } from '../errors.js';

/** The HTTP status of each kind of {@link WeftError}. */
export const statusOf: Record<WeftErrorType, ContentfulStatusCode> = {
  'bad-request': 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'validation-failed': 422,
  unavailable: 503,
};

/** Answers with an `application/problem+json` body (RFC 9457). */
export function problem(c: Context, status: ContentfulStatusCode, type: string, title: string, extra: Record<string, unknown> = {}): Response {
  const body = { type: type === 'about:blank' ? type : `https://weft.dev/problems/${type}`, title, status, instance: c.req.path, ...extra };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

/** The problem+json answer to a {@link WeftError}, with its located `errors` when it has them. */
export function problemFor(c: Context, err: WeftError): Response {
  return problem(c, statusOf[err.type], err.type, err.message, err.errors ? { errors: err.errors } : {});
}
