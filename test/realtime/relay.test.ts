import type { ServerResponse } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createRunHubs } from '../../src/realtime/hubs.js';
import { roomsChannel, startPgRelay, type PgRelay } from '../../src/realtime/pg-relay.js';
import type { ServerMessage } from '../../src/realtime/protocol.js';
import { Rooms } from '../../src/realtime/rooms/rooms.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { hasPostgres } from '../support/database.js';
import { serveWorld } from '../support/http-server.js';
import { upload } from '../support/runs.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';
import { eventsOf, runEnded, TestSocket } from '../support/ws-client.js';

describe.skipIf(!hasPostgres())('events across processes through PostgreSQL LISTEN/NOTIFY', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const relays: PgRelay[] = [];
  /** The answer `GET /held` waits for. */
  let held: ServerResponse | undefined;
  const url = () => world.database.url ?? '';

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 100),
      'GET /held': (_req, res) => void (held = res),
    });
    world = await startWorld('postgres', { relay: true });
    await upload(world, {
      id: 'apart', name: 'Apart',
      nodes: [
        { id: 'a', type: 'http', config: { url: `${upstream.url}/slow` } },
        { id: 'b', type: 'http', needs: ['a'], config: { url: `${upstream.url}/slow` } },
        { id: 'c', type: 'transform', needs: ['b'], config: { value: 'x'.repeat(20_000) } },
      ],
    });
    await upload(world, { id: 'waits', name: 'Waits', nodes: [{ id: 'a', type: 'http', config: { url: `${upstream.url}/held` } }] });
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

  /**
   * A second API process, serving: its own bus, hubs and relay (on `relayUrl`), sharing only the database and
   * Temporal. No idle check within a test: a run's events can only reach it through the relay.
   */
  async function secondProcess(relayUrl = url()) {
    const bus = new EventBus();
    const readers = { db: world.database.db, client: world.temporal.client };
    const rooms = new Rooms(world.database.db, readers);
    relays.push(await startPgRelay(relayUrl, bus, rooms));
    const other = { ...world, bus, rooms, hubs: createRunHubs(bus, readers, 600_000) };
    other.app = createApp({ db: world.database, temporal: world.temporal, bus, hubs: other.hubs, rooms });
    return serveWorld(other);
  }

  it('leaves the rooms it carried once closed, so that nothing more is sent through it', async () => {
    const rooms = new Rooms(world.database.db, { db: world.database.db, client: world.temporal.client });
    const relay = await startPgRelay(url(), new EventBus(), rooms);
    expect(rooms.relay).toBeDefined();
    await relay.close();
    expect(rooms.relay).toBeUndefined();
  });

  it('delivers a run executed by one process to a WebSocket client of another, every event once', async () => {
    const server = await secondProcess();
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

  it('carries room entries too large for a NOTIFY, and those said while a process could not hear', async () => {
    const direct = new URL(url());
    const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(url());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // The second process's relay reaches PostgreSQL through the proxy; everything else goes direct.
    const server = await secondProcess(proxied.toString());
    const home = await serveWorld(world);
    // What goes out on the rooms channel, heard directly.
    const watcher = postgres(url(), { max: 1, onnotice: () => {} });
    const notified: string[] = [];
    await watcher.listen(roomsChannel, (payload) => notified.push(payload));
    const started = await world.request('POST', '/api/v1/templates/apart/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    const here = await TestSocket.open(home.wsUrl);
    const there = await TestSocket.open(server.wsUrl);
    here.send({ type: 'join', runId, participant: { id: 'ana', role: 'owner' } });
    there.send({ type: 'join', runId, participant: { id: 'bo', role: 'viewer' } });
    await Promise.all([here, there].map((socket) => socket.until((m) => m.some((x) => x.type === 'presence'))));
    const saying = (text: string) => (messages: ServerMessage[]) => messages.filter((x) => x.type === 'room' && (x.entry.data as { text?: string } | undefined)?.text === text);

    // Too large to travel whole: it goes as its id, and the other process reads it from the room's record.
    const long = 'l'.repeat(9_000);
    here.send({ type: 'say', runId, text: long });
    await there.until((m) => saying(long)(m).length > 0, 10_000);

    // A run the other process's client follows, waiting on its upstream.
    const waiting = await world.request('POST', '/api/v1/templates/waits/runs', { input: {} });
    const { runId: waitingId } = (await waiting.json()) as { runId: string };
    await expect.poll(() => held !== undefined).toBe(true);
    there.send({ type: 'subscribe', runId: waitingId, afterSeq: 0 });
    await there.until((m) => eventsOf(m, waitingId).some((e) => e.event === 'node.started'));

    // The other process's relay cannot hear while its connection is down. What is said meanwhile reaches its
    // members once it listens again, and once only; the run's events that went by reach its client.
    proxy.cut();
    here.send({ type: 'say', runId, text: 'while you were away' });
    json(held!, 200, { ok: true });
    await expect.poll(() => notified.some((p) => p.includes('while you were away'))).toBe(true);
    // The other process says something too meanwhile: its own entry, delivered there at once, is newer than the
    // one it missed.
    there.send({ type: 'say', runId, text: 'me too' });
    await there.until((m) => saying('me too')(m).length > 0);
    expect((await (await world.request('GET', `/api/v1/runs/${waitingId}/result?wait=10`)).json())).toMatchObject({ status: 'completed' });
    proxy.restore();
    await there.until((m) => saying('while you were away')(m).length > 0, 15_000);
    const events = eventsOf(await there.until(runEnded(waitingId), 15_000), waitingId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    here.send({ type: 'say', runId, text: 'and now' });
    await there.until((m) => saying('and now')(m).length > 0, 10_000);
    expect(saying('while you were away')(there.messages)).toHaveLength(1);
    expect(saying(long)(there.messages)).toHaveLength(1);

    here.close();
    there.close();
    await watcher.end({ timeout: 5 });
    await home.close();
    await server.close();
    await proxy.close();
  });
});
