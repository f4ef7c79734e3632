import { ApplicationFailure, Context } from '@temporalio/activity';
import { durationMs } from '../template/duration.js';
import { defaultMaxResponseBytes, isBase64, type HttpConfig, type HttpOutput } from '../template/node-types/http.js';
import { halfSurrogate } from '../template/safety.js';
import { depthProblem } from '../template/value-depth.js';
import type { Db } from '../db/client.js';
import { nodeActivity } from './node-activity.js';
import { redactSecretBytes } from './secret-bytes.js';
import type { NodeActivityInput } from './node-input.js';
import type { LivePublisher } from './progress.js';

/** Statuses worth retrying: the server may answer differently later. */
const retryableStatuses = new Set([408, 429]);

/** A request that cannot be made as configured: trying again makes the same request, so it is not retried. */
function invalidRequest(config: HttpConfig, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${config.method} ${config.url} cannot be sent: ${why}`, 'HttpInvalidRequest');
}

const halfSurrogates = new RegExp(halfSurrogate, 'g');

/**
 * Percent-encoded for a query. Text can hold half of an emoji (a JSON answer's `"\ud83d"`), which UTF-8 cannot
 * carry: it goes as U+FFFD, as `URL` and `URLSearchParams` send it, where `encodeURIComponent` would throw.
 */
function queryEncoded(text: string): string {
  return encodeURIComponent(text.replace(halfSurrogates, '\uFFFD'));
}

/**
 * The URL to call, with the query added after the URL's own, which goes as it was written (a signed URL's
 * query must not be re-encoded); an `HttpInvalidRequest` when it is not an http(s) URL.
 */
function targetOf(config: HttpConfig): URL {
  let target: URL;
  try {
    target = new URL(config.url);
  } catch {
    throw invalidRequest(config, 'the url is not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw invalidRequest(config, `the url's scheme is ${target.protocol.slice(0, -1)}, not http or https`);
  const added: string[] = [];
  for (const [key, value] of Object.entries(config.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      added.push(`${queryEncoded(key)}=${queryEncoded(typeof item === 'string' ? item : JSON.stringify(item))}`);
    }
  }
  if (added.length > 0) target.search = target.search ? `${target.search}&${added.join('&')}` : `?${added.join('&')}`;
  return target;
}

/** Seconds or an HTTP date in `Retry-After`, as milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  // Zero means "now": leave the delay to the retry policy (a zero next-retry delay ends the retries instead).
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * The wait a server asks for before the next attempt, at most the node's `maxInterval`: Temporal takes a
 * delay given with the failure over its retry policy, so an unbounded `Retry-After` would hold a run for as
 * long as a server says, or past what a duration can hold.
 */
function retryDelayOf(header: string | null): number | undefined {
  const asked = retryAfterMs(header);
  // The SDK gives the policy's durations in milliseconds.
  const most: unknown = Context.current().info.retryPolicy?.maximumInterval;
  return asked === undefined || typeof most !== 'number' ? asked : Math.min(asked, most);
}

/**
 * Reads the body, counting bytes as they arrive so that progress reports can say how far it got: parsed when the
 * answer is JSON, text when it reads in its charset ({@link decoderFor}), base64 otherwise.
 */
async function readBody(config: HttpConfig, response: Response, received: { bytes: number }, secrets: readonly string[]): Promise<Pick<HttpOutput, 'body' | 'bodyEncoding'>> {
  const limit = config.maxResponseBytes ?? defaultMaxResponseBytes;
  const tooLarge = () => ApplicationFailure.nonRetryable(
    `${config.method} ${config.url} answered ${response.status} with a body past ${limit} bytes (maxResponseBytes)`, 'HttpResponseTooLarge',
  );
  // A HEAD's or a 304's length is the resource's: it comes without a body.
  if (response.body && Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      received.bytes += chunk.byteLength;
      // Counted as it arrives: an answer need not say its length.
      if (received.bytes > limit) throw tooLarge();
    }
  }
  const bytes = Buffer.concat(chunks);
  const contentType = response.headers.get('content-type') ?? '';
  const json = /\bjson\b/i.test(contentType);
  const text = textOf(bytes, contentType, json);
  // Not text (an image, an archive): as base64, which keeps every byte, where decoding would replace some. Its
  // secrets are taken out here, as base64 hides them from the redaction of the output's text.
  if (text === undefined) return { body: redactSecretBytes(bytes, secrets).toString('base64'), bodyEncoding: 'base64' };
  if (json && text.length > 0) {
    let body: unknown;
    try {
      // A byte-order mark some servers put first is not JSON.
      body = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      return { body: text };
    }
    const deep = depthProblem(body, 'body');
    if (deep) throw ApplicationFailure.nonRetryable(`${config.method} ${config.url} answered ${response.status} with JSON that ${deep.message}`, 'HttpResponseTooDeep');
    return { body };
  }
  return { body: text };
}

// `fatal`: bytes that are not UTF-8 throw rather than turn into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A body as text, or undefined when it does not read as text: in the charset its `content-type` names
 * ({@link decoderFor}); JSON as UTF-8 first, whatever its label says, as RFC 8259 has it and servers often
 * mislabel it, and in the named charset only when it is not UTF-8.
 */
function textOf(bytes: Buffer, contentType: string, json: boolean): string | undefined {
  const named = decoderFor(contentType);
  for (const decoder of json && named !== utf8 ? [utf8, named] : [named]) {
    try {
      return decoder.decode(bytes);
    } catch {
      // Bytes this charset cannot read: the next, if any.
    }
  }
  return undefined;
}

/**
 * How a body is read as text: in the charset its `content-type` names (`text/html; charset=iso-8859-1`), when
 * that is one the WHATWG Encoding Standard knows, and as UTF-8 otherwise. Either way bytes the charset cannot
 * read make the body bytes, not text.
 */
function decoderFor(contentType: string): TextDecoder {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  if (charset === undefined) return utf8;
  try {
    const decoder = new TextDecoder(charset, { fatal: true, ignoreBOM: true });
    return decoder.encoding === 'utf-8' ? utf8 : decoder;
  } catch {
    // A charset no decoder knows: the bytes may still be UTF-8.
    return utf8;
  }
}

/**
 * An answer's headers by lower-case name, a repeated header's values joined with `, ` as fetch joins them, and
 * `cookies`: every `Set-Cookie`, one item per cookie, which the joined header cannot give back (a cookie's
 * `Expires=Wed, 21 Oct…` holds a comma too).
 */
function headersOf(response: Response): Pick<HttpOutput, 'headers' | 'cookies'> {
  const headers: HttpOutput['headers'] = Object.fromEntries(response.headers);
  const cookies = response.headers.getSetCookie();
  if (cookies.length === 0) return { headers };
  headers['set-cookie'] = cookies.join(', ');
  return { headers, cookies };
}

/**
 * What a request that got no whole answer fails with, retried like a 5xx: `HttpTimeout` when the node's
 * `timeout` passed, `HttpConnectionError` when the server could not be reached or the connection broke (`fetch`
 * says only "fetch failed"; the reason, such as `ECONNREFUSED` or `ENOTFOUND`, is its cause). A cancelled
 * activity's abort stays as it is.
 */
function unanswered(config: HttpConfig, cancellation: AbortSignal, err: unknown): unknown {
  if (cancellation.aborted) return err;
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return ApplicationFailure.create({ type: 'HttpTimeout', message: `${config.method} ${config.url} did not answer within ${String(config.timeout)}` });
  }
  const cause = err instanceof Error && err.cause instanceof Error ? (err.cause as Error & { code?: string }) : undefined;
  // A request the node's own config makes impossible (a content-length header its body does not match) is made
  // the same way on every try.
  if (cause?.code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') return invalidRequest(config, `${cause.message} (a content-length header that the body does not match)`);
  // A refusal from every address of a name (`localhost`: ::1 and 127.0.0.1) is an AggregateError without a message.
  const reason = cause?.message || cause?.code || (err instanceof Error ? err.message : String(err));
  return ApplicationFailure.create({ type: 'HttpConnectionError', message: `${config.method} ${config.url} failed before an answer came: ${reason}`, details: [{ code: cause?.code ?? null }] });
}

/** How often a request in flight reports progress: each report is also the heartbeat that carries cancellation. */
const progressEveryMs = 500;

/**
 * Creates the `http` node activity. `fetch` is the one seam: Weft passes the global `fetch`. While the request
 * is in flight it heartbeats with progress (elapsed time, bytes received) every half second, so a cancelled run
 * aborts it.
 */
export function createHttpActivity(deps: { db: Db; fetch?: typeof fetch; publish?: LivePublisher; secrets?: Readonly<Record<string, string>> }) {
  const fetchImpl = deps.fetch ?? fetch;
  return nodeActivity('http', deps, async ({ config }: NodeActivityInput<HttpConfig>, progress, secrets): Promise<HttpOutput> => {
    const started = Date.now();
    const received = { bytes: 0 };
    const report = () => progress.report({ elapsedMs: Date.now() - started, receivedBytes: received.bytes });
    // The first report comes after a tick, not at once: each heartbeat is a write on the Temporal server, and
    // most requests answer before a report would say anything that `node.started` did not.
    const ticker = setInterval(report, progressEveryMs);
    try {
      return await request(fetchImpl, config, received, secrets);
    } finally {
      clearInterval(ticker);
    }
  });
}

/**
 * What the request sends, and its content type unless a header gives one: nothing for GET and HEAD, the bytes a
 * base64 body encodes when `bodyEncoding` says so, a string as it is, anything else as JSON. A body that is
 * not the base64 it is said to be is an `HttpInvalidRequest`.
 */
function bodyOf(config: HttpConfig): { content: string | Uint8Array<ArrayBuffer>; type: string } | undefined {
  // Evaluated from an expression, the encoding may be absent: an answer's `bodyEncoding` is, for text.
  const encoding: unknown = config.bodyEncoding;
  if (encoding !== undefined && encoding !== null && encoding !== 'base64') throw invalidRequest(config, `bodyEncoding is ${JSON.stringify(encoding)}, not "base64"`);
  if (config.body === undefined || config.body === null || ['GET', 'HEAD'].includes(config.method)) return undefined;
  if (encoding === 'base64') {
    if (typeof config.body !== 'string' || !isBase64(config.body)) throw invalidRequest(config, 'the body is not base64 (standard alphabet, padded), which bodyEncoding "base64" says it is');
    return { content: Buffer.from(config.body, 'base64'), type: 'application/octet-stream' };
  }
  // A string goes as it is, with fetch's own text/plain.
  if (typeof config.body === 'string') return { content: config.body, type: 'text/plain;charset=UTF-8' };
  return { content: JSON.stringify(config.body), type: 'application/json' };
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** As many redirects as fetch itself follows. */
const maxRedirects = 20;

/**
 * Sends `first` and follows its redirects as fetch would, but for one thing: a redirect to another origin
 * goes without the node's headers, which may carry secrets (fetch keeps all but `authorization` and
 * `cookie`). A 303, or a 301 or 302 answering a POST, goes on as a GET without the body, as fetch does.
 */
async function followRedirects(fetchImpl: typeof fetch, config: HttpConfig, first: Request, content: string | Uint8Array<ArrayBuffer> | undefined, signal: AbortSignal): Promise<Response> {
  let request = first;
  let body = content;
  for (let redirects = 0; ; redirects++) {
    const response = await fetchImpl(request);
    const location = response.headers.get('location');
    if (!redirectStatuses.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (redirects === maxRedirects) throw ApplicationFailure.nonRetryable(`${config.method} ${config.url} was redirected more than ${maxRedirects} times`, 'HttpTooManyRedirects');
    let next: URL;
    try {
      next = new URL(location, request.url);
    } catch {
      throw ApplicationFailure.nonRetryable(`${config.method} ${config.url} was redirected to ${JSON.stringify(location)}, which is not a URL`, 'HttpInvalidRedirect');
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw ApplicationFailure.nonRetryable(`${config.method} ${config.url} was redirected to a ${next.protocol.slice(0, -1)} URL`, 'HttpInvalidRedirect');
    let method = request.method;
    const headers = new Headers(request.headers);
    if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
      method = 'GET';
      body = undefined;
      headers.delete('content-type');
    }
    if (next.origin !== new URL(request.url).origin) {
      for (const name of Object.keys(config.headers ?? {})) if (name.toLowerCase() !== 'content-type') headers.delete(name);
    }
    request = new Request(next, { method, headers, body, signal, redirect: 'manual' });
  }
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * The config as it is sent: its method in capitals and one of those a template may write (an expression may give
 * `get`, or anything), and its headers as text: a header whose value is null or absent is left out, as a query
 * parameter is, and one that is not a string goes as JSON (`5`, `true`, `{"a":1}`), not as `[object Object]`.
 */
function sendable(config: HttpConfig): HttpConfig {
  // A config written without one (not through validation, which gives the default) is a GET.
  const method = typeof config.method === 'string' ? config.method.toUpperCase() : (config.method ?? 'GET');
  if (typeof method !== 'string' || !methods.has(method)) throw invalidRequest(config, `the method ${JSON.stringify(config.method)} is not one of ${[...methods].join(', ')}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((config.headers ?? {}) as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    headers[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { ...config, method, headers };
}

/** One request: an answer below 400 is the output; 4xx other than 408/429 fail for good, the rest are retried. */
async function request(fetchImpl: typeof fetch, given: HttpConfig, received: { bytes: number }, secrets: readonly string[]): Promise<HttpOutput> {
  const config = sendable(given);
  const { cancellationSignal } = Context.current();
  const signals = [cancellationSignal];
  if (config.timeout) signals.push(AbortSignal.timeout(durationMs(config.timeout)));
  const target = targetOf(config);
  const headers: Record<string, string> = { ...config.headers };
  const body = bodyOf(config);
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = body.type;
  const signal = AbortSignal.any(signals);
  let request: Request;
  try {
    request = new Request(target, { method: config.method, headers, body: body?.content, signal, redirect: 'manual' });
  } catch (err) {
    // A header value with a line break, a method fetch refuses: the same on every try.
    throw invalidRequest(config, err instanceof Error ? err.message : String(err));
  }
  let response: Response;
  let output: HttpOutput;
  try {
    response = await followRedirects(fetchImpl, config, request, body?.content, signal);
    output = { status: response.status, ...headersOf(response), ...(await readBody(config, response, received, secrets)) };
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw unanswered(config, cancellationSignal, err);
  }
  if (response.status < 400) return output;
  const message = `${config.method} ${config.url} answered ${response.status} ${response.statusText}`;
  if (response.status < 500 && !retryableStatuses.has(response.status)) {
    throw ApplicationFailure.create({ type: 'HttpClientError', message, nonRetryable: true, details: [output] });
  }
  throw ApplicationFailure.create({
    type: 'HttpServerError',
    message,
    details: [output],
    nextRetryDelay: retryDelayOf(response.headers.get('retry-after')),
  });
}
