import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A request the upstream server received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as UTF-8 text. */
  body: string;
  /** The body's bytes, as they came. */
  bytes: Buffer;
}

type Handler = (req: Received, res: ServerResponse) => void;

/**
 * A small real HTTP server on 127.0.0.1 that plays the external services nodes talk to. Routes are
 * `METHOD /path` keys; every request is recorded.
 */
export async function startUpstream(routes: Record<string, Handler>) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const bytes = Buffer.concat(chunks);
      const entry = { method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body: bytes.toString(), bytes };
      received.push(entry);
      const handler = routes[`${entry.method} ${url.pathname}`];
      if (handler) return handler(entry, res);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such route' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Answers with JSON. */
export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

/**
 * Counts the requests an upstream route is answering at once, and the most at once since the last reset: how a
 * test sees the concurrency a run really used.
 */
export class InFlight {
  now = 0;
  peak = 0;

  /** A request came in. */
  enter(): void {
    this.peak = Math.max(this.peak, ++this.now);
  }

  /** A request was answered. */
  leave(): void {
    this.now--;
  }
}
