import type { Context, Next } from 'hono';
import { streamSSE } from 'hono/streaming';
import { maxStoredInt } from '../db/storable.js';
import { wholeNumberIn } from '../api/schemas.js';
import { invalid } from '../errors.js';
import { readRunState, type RunReaderDeps } from '../runs/read-run.js';
import { terminalRunStatuses } from '../workflows/state.js';
import type { RunHubs } from './run-hub.js';
import { failedRead, Subscription } from './subscription.js';

const keepAliveMs = 15_000;

/** Where the stream starts: after the `Last-Event-ID` of a reconnecting client, else after the `after` query. */
function resumeFrom(c: Context): number {
  const header = c.req.header('last-event-id');
  const seq = wholeNumberIn(header ?? c.req.query('after') ?? '0', maxStoredInt);
  if (seq !== undefined) return seq;
  // Named as the JSON route names them, so a client reads the same path whichever way it asked.
  const problem = header === undefined
    ? { path: 'query.after', message: 'must be a whole number >= 0: the seq after which events are sent' }
    : { path: 'headers.last-event-id', message: 'must be the id (seq) of an event this stream sent' };
  throw invalid('cannot resume the stream', [problem]);
}

/**
 * `GET /api/v1/runs/:runId/events` with `Accept: text/event-stream`: the run's events as server-sent events
 * (`id:` is the seq, `event:` its type), resumable with `Last-Event-ID`, ending after the run's final event (and
 * as the process shuts down); a 204 for a client that has the ended run's final event already.
 * Other requests fall through to the JSON route.
 */
export function sseEventsHandler(deps: { readers: RunReaderDeps; hubs: RunHubs }) {
  return async function sseEvents(c: Context, next: Next) {
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return next();
    const runId = c.req.param('runId') ?? '';
    const after = resumeFrom(c);
    const known = await readRunState(deps.readers, runId);
    // A client that has the ended run's last event is told there is nothing more: a 204 stops an EventSource
    // from connecting again, which it does after every stream that ends.
    if (terminalRunStatuses.includes(known.status) && after >= known.seq) return c.body(null, 204);
    return streamSSE(c, async (stream) => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      // Writes go out one after another, and the stream ends only once the last one is out.
      let written: Promise<void> = Promise.resolve();
      const subscription = new Subscription(deps.hubs, runId, (frame) => {
        if (frame.type !== 'event') return;
        written = written.then(() => stream.writeSSE({ id: frame.sub === undefined ? String(frame.seq) : undefined, event: frame.event, data: JSON.stringify(frame) }));
      }, finish);
      stream.onAbort(finish);
      // The process is shutting down: the stream ends, and the client resumes elsewhere with Last-Event-ID.
      deps.hubs.closed.addEventListener('abort', finish);
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), keepAliveMs);
      try {
        await subscription.start(after);
        // A client that already has the closed run's last event gets an empty, ended stream.
        const state = await readRunState(deps.readers, runId);
        if (terminalRunStatuses.includes(state.status) && subscription.seq >= state.seq) finish();
        await finished;
        await written;
      } catch (err) {
        // The run could not be read on (no worker answered, the database went away): the stream says so before it
        // ends, so that a client does not take the end for the run's; it resumes with Last-Event-ID.
        await written.catch(() => undefined);
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ type: 'error', runId, ...failedRead(err, runId) }) }).catch(() => undefined);
      } finally {
        deps.hubs.closed.removeEventListener('abort', finish);
        clearInterval(keepAlive);
        subscription.close();
      }
    });
  };
}
