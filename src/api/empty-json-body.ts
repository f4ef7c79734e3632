import type { MiddlewareHandler } from 'hono';

// Whitespace longer than this, sent as a body, is taken for what it is: not JSON.
const maxBlankBytes = 1024;

/**
 * Reads a request that says its body is JSON but sends none (or only whitespace) as sending `{}`. Many clients do that (a `fetch`
 * with headers and no body), and the commands whose body is optional (pause, resume, cancel, retry, skip)
 * answered them a 400 "not valid JSON", before even looking up the run. A body that is there is left alone.
 */
export const emptyJsonBodyAsObject: MiddlewareHandler = async (c, next) => {
  const length = c.req.header('content-length');
  // Only a short body can be empty or blank: a long one is left to the route unread.
  const short = length === undefined || Number(length) <= maxBlankBytes;
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && short && /\bjson\b/i.test(c.req.header('content-type') ?? '')) {
    // Read from a copy: the route's validator reads the request itself.
    if ((await c.req.raw.clone().text()).trim() === '') {
      const headers = new Headers(c.req.raw.headers);
      headers.set('content-length', '2');
      c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: '{}', signal: c.req.raw.signal });
    }
  }
  await next();
};
