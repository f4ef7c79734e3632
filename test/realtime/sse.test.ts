import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWorld } from '../support/http-server.js';
import { runToEnd, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a whole server-sent-event stream (it must end by itself) and parses its events. */
async function readStream(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text.split('\n\n').filter((block) => block.trim() && !block.startsWith(':')).map((block) => {
    const event: SseEvent = { data: '' };
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') event.data += value;
    }
    return event;
  });
}

describe('server-sent events', () => {
  let world: World;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 100) });
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, {
      id: 'sse', name: 'SSE',
      nodes: [
        { id: 'a', type: 'http', config: { url: `${upstream.url}/slow` } },
        { id: 'b', type: 'http', needs: ['a'], config: { url: `${upstream.url}/slow` } },
      ],
    });
  });
  afterAll(async () => {
    await server?.close();
    await world?.close();
    await upstream?.close();
  });

  it('streams a live run from the start and ends after its final event', async () => {
    const started = await world.request('POST', '/api/v1/templates/sse/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    const res = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const all = await readStream(res);
    // Live-only progress has no id: a client resuming with Last-Event-ID must not skip state changes for it.
    expect(all.filter((e) => e.id === undefined).every((e) => e.event === 'node.progress' || e.event === 'node.retrying')).toBe(true);
    const events = all.filter((e) => e.id !== undefined);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event).toBe('run.completed');
    expect(JSON.parse(events[0]!.data)).toMatchObject({ type: 'event', runId, seq: 1, event: 'run.started' });
  });

  it('resumes after Last-Event-ID with exactly the later events', async () => {
    const { runId, state } = await runToEnd(world, 'sse');
    const res = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': '3' } });
    const events = (await readStream(res)).filter((e) => e.id !== undefined);
    expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: state.seq - 3 }, (_, i) => i + 4));
    // Nothing more will come: a 204, which tells an EventSource not to connect again.
    const none = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': String(state.seq) } });
    expect(none.status).toBe(204);
  });

  it('answers problems for an unknown run or a bad Last-Event-ID, and JSON without the SSE accept header', async () => {
    expect((await fetch(`${server.url}/api/v1/runs/nope/events`, { headers: { accept: 'text/event-stream' } })).status).toBe(404);
    const { runId } = await runToEnd(world, 'sse');
    const bad = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': 'soon' } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([{ path: 'headers.last-event-id', message: expect.any(String) }]);
    for (const after of ['-3', 'x', '1.5']) {
      const badQuery = await fetch(`${server.url}/api/v1/runs/${runId}/events?after=${after}`, { headers: { accept: 'text/event-stream' } });
      expect(badQuery.status, after).toBe(422);
      expect(((await badQuery.json()) as { errors: unknown[] }).errors).toEqual([{ path: 'query.after', message: expect.any(String) }]);
    }
    const plain = await fetch(`${server.url}/api/v1/runs/${runId}/events`);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
  });

  // Last: it shuts the world's hubs down.
  it('ends the streams of open runs as the process shuts down, so their clients resume elsewhere at once', async () => {
    await upload(world, { id: 'sse-waits', name: 'SSE waits', nodes: [{ id: 'ok', type: 'approval', config: { prompt: 'Go on?' } }] });
    const { runId } = (await (await world.request('POST', '/api/v1/templates/sse-waits/runs', { input: {} })).json()) as { runId: string };
    // Many viewers at once are no leak for Node to warn about.
    const warnings: string[] = [];
    const note = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', note);
    try {
      const readers = await Promise.all(Array.from({ length: 12 }, async () => {
        const res = await fetch(`${server.url}/api/v1/runs/${runId}/events`, { headers: { accept: 'text/event-stream' } });
        const reader = res.body!.getReader();
        await reader.read();
        return reader;
      }));
      const ended = Promise.all(readers.map(async (reader) => {
        for (;;) if ((await reader.read()).done) return Date.now();
      }));
      const closedAt = Date.now();
      world.hubs.closeAll();
      expect(Math.max(...(await ended)) - closedAt).toBeLessThan(2_000);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', note);
    }
  });
});
