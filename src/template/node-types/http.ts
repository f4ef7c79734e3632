import { z } from 'zod';
import { hasExpression } from '../expressions.js';
import { durationSchema } from '../model.js';
import { defineNodeType } from './define.js';

/** True for an absolute http or https URL, what a node can call. */
function isHttpUrl(url: string): boolean {
  return URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
}

/** Config of an `http` node. */
export const httpConfigSchema = z
  .object({
    method: z.string().regex(/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|\{\{[\s\S]*\}\})$/, 'use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS').default('GET'),
    url: z.string().min(1).refine((url) => hasExpression(url) || isHttpUrl(url), 'must be an http:// or https:// URL (or hold an expression)'),
    query: z.record(z.string(), z.unknown()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    timeout: durationSchema.optional(),
    /** The most bytes of an answer's body the node reads ({@link defaultMaxResponseBytes} unless given). */
    maxResponseBytes: z.number().int().min(1).max(1024 * 1024 * 1024).optional(),
  })
  .strict();

/**
 * The most bytes of an answer's body an `http` node reads unless its config says otherwise. The body is held in
 * the worker's memory whole, and parsed, before it is stored: an answer without a bound (a file, a stream) would
 * take the worker down with every run on it, and again on every retry.
 */
export const defaultMaxResponseBytes = 32 * 1024 * 1024;

/** An `http` node's config, after defaults. */
export type HttpConfig = z.infer<typeof httpConfigSchema>;

/** What an `http` node outputs: the body is parsed when the response is JSON, and text when it is UTF-8. */
export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Set when the body is not text (an image, an archive): `body` is then its bytes in base64. */
  bodyEncoding?: 'base64';
}

export const httpNode = defineNodeType({
  type: 'http',
  title: 'HTTP request',
  description: 'Calls a URL and outputs {status, headers, body}; a body that is not text comes as base64, with bodyEncoding: "base64". 4xx other than 408/429 fail at once; 5xx, 408 and 429 are retried, honouring Retry-After.',
  config: httpConfigSchema,
  runsAs: 'activity',
});
