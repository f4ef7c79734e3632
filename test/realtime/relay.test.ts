import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createRunHubs } from '../../src/realtime/hubs.js';
import { startPgRelay, type PgRelay } from '../../src/realtime/pg-relay.js';
import { Rooms } from '../../src/realtime/rooms/rooms.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { hasPostgres } from '../support/database.js';
import { serveWorld } from '../support/http-server.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';
import { eventsOf, runEnded, TestSocket } from '../support/ws-client.js';

describe.skipIf(!hasPostgres())('events across processes through PostgreSQL LISTEN/NOTIFY', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const relays: PgRelay[] = [];
  const url = () => world.database.url ?? '';

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 100) });
    world = await startWorld('postgres', { relay: true });
    await upload(world, {
      id: 'apart', name: 'Apart',
      nodes: [
        { id: 'a', type: 'http', config: { url: `${upstream.url}/slow` } },
        { id: 'b', type: 'http', needs: ['a'], config: { url: `${upstream.url}/slow` } },
        { id: 'c', type: 'transform', needs: ['b'], config: { value: 'x'.repeat(20_000) } },
      ],
    });
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.close()));
    await world?.close();
    await upstream?.close();
  });

  it('relays small events whole and large ones as hints, never back to their sender', async () => {
    const [a, b] = [new EventBus(), new EventBus()];
    const ra = await startPgRelay(url(), a);
    const rb = await startPgRelay(url(), b);
    relays.push(ra, rb);
    const got: RunEvent[] = [];
    const hints: string[] = [];
    b.subscribe('run-x', (_r, e) => got.push(e));
    b.onHint('run-x', () => hints.push('run-x'));
    const echoed: RunEvent[] = [];
    a.subscribe('run-x', (_r, e) => echoed.push(e));
    ra.live.publish('run-x', { seq: 1, type: 'run.started', at: '2026-01-01T00:00:00.000Z' });
    ra.live.publish('run-x', { seq: 2, type: 'node.completed', nodeId: 'n', at: '2026-01-01T00:00:01.000Z', data: 'y'.repeat(10_000) });
    for (let i = 0; i < 50 && (got.length < 1 || hints.length < 1); i++) await new Promise((r) => setTimeout(r, 50));
    expect(got.map((e) => e.seq)).toEqual([1]);
    expect(hints).toEqual(['run-x']);
    expect(echoed.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('delivers a run executed by one process to a WebSocket client of another, every event once', async () => {
    // A second API process: its own bus, hubs and relay, sharing only the database and Temporal.
    const bus = new EventBus();
    const readers = { db: world.database.db, client: world.temporal.client };
    const rooms = new Rooms(world.database.db, readers);
    relays.push(await startPgRelay(url(), bus, rooms));
    // No idle check within the test: the run's events can only reach this process through the relay.
    const other = { ...world, bus, rooms, hubs: createRunHubs(bus, readers, 600_000) };
    other.app = createApp({ db: world.database, temporal: world.temporal, bus, hubs: other.hubs, rooms });
    const server = await serveWorld(other);
    const home = await serveWorld(world);
    const started = await world.request('POST', '/api/v1/templates/apart/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    const events = eventsOf(await client.until(runEnded(runId)), runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.find((e) => e.event === 'node.completed' && e.nodeId === 'c')?.data).toMatchObject({ output: 'x'.repeat(20_000) });

    // The run's room spans processes too: a message said on one server reaches a member on the other.
    const there = await TestSocket.open(home.wsUrl);
    there.send({ type: 'join', runId, participant: { id: 'ana', role: 'viewer' } });
    await there.until((m) => m.some((x) => x.type === 'presence'));
    client.send({ type: 'join', runId, participant: { id: 'bo', role: 'owner' } });
    await client.until((m) => m.some((x) => x.type === 'presence'));
    client.send({ type: 'say', runId, text: 'hello from the other side' });
    await there.until((m) => m.some((x) => x.type === 'room' && x.entry.kind === 'message' && x.entry.participant.id === 'bo'));
    there.close();
    client.close();
    await home.close();
    await server.close();
  });
});
