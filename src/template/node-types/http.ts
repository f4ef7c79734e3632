import { z } from 'zod';
import { maxTimerMs, parseDuration } from '../duration.js';
import { hasExpression } from '../expressions.js';
import { durationSchema } from '../model.js';
import { defineNodeType } from './define.js';

/** True for an absolute http or https URL, what a node can call. */
function isHttpUrl(url: string): boolean {
  return URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
}

/** Standard base64 with its padding, what `bodyEncoding: base64` asks of a request body. */
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * True when `text` is standard base64, padded. Node's own decoder skips what is not base64, so a body that is
 * something else would be sent as other bytes than meant, without a word.
 */
export function isBase64(text: string): boolean {
  return base64Pattern.test(text);
}

/** Config of an `http` node. */
export const httpConfigSchema = z
  .object({
    method: z.string().regex(/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|\{\{[\s\S]*\}\})$/, 'use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS').default('GET'),
    url: z.string().min(1).refine((url) => hasExpression(url) || isHttpUrl(url), 'must be an http:// or https:// URL (or hold an expression)'),
    query: z.record(z.string(), z.unknown()).optional(),
    // The host goes from the url: fetch sends no other, and would drop one given here without a word.
    headers: z.record(z.string(), z.string()).refine((headers) => !Object.keys(headers).some((name) => name.toLowerCase() === 'host'), {
      message: 'cannot set host: it comes from the url',
    }).optional(),
    body: z.unknown().optional(),
    /**
     * `base64` sends `body`, a base64 string, as the bytes it encodes: a file read as an answer's base64 body
     * goes on as it came.
     */
    bodyEncoding: z.string().regex(/^(base64|\{\{[\s\S]*\}\})$/, 'use "base64" (or an expression)').optional(),
    // A request's timeout is a Node timer.
    timeout: durationSchema.refine((text) => (parseDuration(text) ?? 0) <= maxTimerMs, 'must be at most 24d (a longer request timeout cannot be timed)').optional(),
    /** The most bytes of an answer's body the node reads ({@link defaultMaxResponseBytes} unless given). */
    // At most 256 MiB: read whole, a body past about 400 MB no longer fits in a string, as text or as base64.
    maxResponseBytes: z.number().int().min(1).max(256 * 1024 * 1024).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // What expressions will give is checked as the node runs; a body written out is checked now.
    if (config.bodyEncoding !== 'base64' || config.body === undefined || config.body === null) return;
    if (typeof config.body !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'must be a string of base64 when bodyEncoding is "base64"' });
    } else if (!hasExpression(config.body) && !isBase64(config.body)) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'is not base64 (standard alphabet, padded), which bodyEncoding "base64" says it is' });
    }
  });

/**
 * The most bytes of an answer's body an `http` node reads unless its config says otherwise. The body is held in
 * the worker's memory whole, and parsed, before it is stored: an answer without a bound (a file, a stream) would
 * take the worker down with every run on it, and again on every retry.
 */
export const defaultMaxResponseBytes = 32 * 1024 * 1024;

/** An `http` node's config, after defaults. */
export type HttpConfig = z.infer<typeof httpConfigSchema>;

/** What an `http` node outputs: the body is parsed when the response is JSON, and text when it reads as its charset's. */
export interface HttpOutput {
  status: number;
  /** By lower-case name, a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  /** Every `Set-Cookie` of the answer, one item per cookie; absent when it sets none. */
  cookies?: string[];
  body: unknown;
  /** Set when the body is not text (an image, an archive): `body` is then its bytes in base64. */
  bodyEncoding?: 'base64';
}

export const httpNode = defineNodeType({
  type: 'http',
  title: 'HTTP request',
  description: 'Calls a URL and outputs {status, headers, body}, with cookies listing every Set-Cookie when there is one; a body that is not text comes as base64, with bodyEncoding: "base64" (and bodyEncoding: "base64" in the config sends a base64 body as bytes). 4xx other than 408/429 fail at once; 5xx, 408 and 429 are retried, honouring Retry-After.',
  config: httpConfigSchema,
  runsAs: 'activity',
});
