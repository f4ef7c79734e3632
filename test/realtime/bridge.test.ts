import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes, type ServerMessage } from '../../src/realtime/protocol.js';
import { serveWorld } from '../support/http-server.js';
import { runToEnd, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';
import { eventsOf, liveOnlyOf, runEnded, TestSocket } from '../support/ws-client.js';

/** A chain of `n` http nodes against an upstream that answers each call after `ms`. */
const slowChain = (id: string, base: string, n: number) => ({
  id, name: id,
  nodes: Array.from({ length: n }, (_, i) => ({ id: `step${i}`, type: 'http', needs: i ? [`step${i - 1}`] : undefined, config: { url: `${base}/slow` } })),
});

const seqs = (frames: Array<{ seq: number }>) => frames.map((f) => f.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function start(world: World, templateId: string): Promise<string> {
  const res = await world.request('POST', `/api/v1/templates/${templateId}/runs`, { input: {} });
  expect(res.status).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

describe('the WebSocket bridge', () => {
  let world: World;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 150),
      'GET /slower': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 1_300),
    });
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, slowChain('chain', upstream.url, 5));
    await upload(world, { id: 'patient', name: 'Patient', nodes: [{ id: 'wait', type: 'http', config: { url: `${upstream.url}/slower` } }] });
  });
  afterAll(async () => {
    await server?.close();
    await world?.close();
    await upstream?.close();
  });

  it('sends a snapshot, then every later event in seq order, once', async () => {
    const runId = await start(world, 'chain');
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId });
    const messages = await client.until(runEnded(runId));
    const snapshot = messages.find((m) => m.type === 'snapshot');
    expect(snapshot?.type === 'snapshot' && snapshot.state.runId).toBe(runId);
    const from = snapshot?.type === 'snapshot' ? snapshot.seq : -1;
    const events = eventsOf(messages, runId);
    expect(seqs(events)).toEqual(range(from + 1, events.at(-1)!.seq));
    expect(events.at(-1)?.event).toBe('run.completed');
    client.close();
  });

  it('resumes after a reconnect with afterSeq: no gap, no duplicate', async () => {
    const runId = await start(world, 'chain');
    const first = await TestSocket.open(server.wsUrl);
    first.send({ type: 'subscribe', runId, afterSeq: 0 });
    await first.until((m) => eventsOf(m, runId).length >= 3);
    first.close();
    const seen = eventsOf(first.messages, runId);
    const last = seen.at(-1)!.seq;

    const second = await TestSocket.open(server.wsUrl);
    second.send({ type: 'subscribe', runId, afterSeq: last });
    const rest = eventsOf(await second.until(runEnded(runId)), runId);
    expect(second.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expect(seqs([...seen, ...rest])).toEqual(range(1, rest.at(-1)!.seq));
    second.close();
  });

  it('sends nothing more for a subscription given up or replaced while its snapshot was being read', async () => {
    const runId = await start(world, 'chain');
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId });
    client.send({ type: 'unsubscribe', runId });
    const other = await start(world, 'chain');
    client.send({ type: 'subscribe', runId: other });
    client.send({ type: 'subscribe', runId: other, afterSeq: 0 });
    await client.until(runEnded(other));
    // A frame sent in order after the last: anything the given-up subscriptions sent came before it.
    client.send({ type: 'ping' });
    await client.until((m) => m.some((x) => x.type === 'pong'));
    expect(client.messages.filter((m) => m.type === 'snapshot' || ('runId' in m && m.runId === runId))).toEqual([]);
    expect(seqs(eventsOf(client.messages, other))).toEqual(range(1, eventsOf(client.messages, other).at(-1)!.seq));
    client.close();
  });

  it('forwards activity progress live, after the node started and never as a state change', async () => {
    const runId = await start(world, 'patient');
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    const messages = await client.until(runEnded(runId));
    const started = eventsOf(messages, runId).find((e) => e.event === 'node.started')!;
    const progress = liveOnlyOf(messages, runId);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const frame of progress) {
      expect(frame).toMatchObject({ event: 'node.progress', nodeId: 'wait', seq: started.seq });
      expect(messages.indexOf(frame)).toBeGreaterThan(messages.indexOf(started));
    }
    expect(progress.at(-1)?.data).toMatchObject({ elapsedMs: expect.any(Number) });
    // Stored events never hold progress.
    const stored = (await (await world.request('GET', `/api/v1/runs/${runId}/events`)).json()) as { items: Array<{ type: string }> };
    expect(stored.items.map((e) => e.type)).not.toContain('node.progress');
    client.close();
  });

  it('serves a closed run from its stored events', async () => {
    const { runId, state } = await runToEnd(world, 'chain');
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    const events = eventsOf(await client.until(runEnded(runId)), runId);
    expect(seqs(events)).toEqual(range(1, state.seq));
    client.close();
  });

  it('follows a child run nested deep, whose id is as long as a workflow id may be', async () => {
    const node = `deep${'x'.repeat(60)}`;
    await upload(world, {
      id: 'nested', name: 'Nested',
      nodes: [{ id: node, type: 'subworkflow', when: '{{ input.d < 3 }}', config: { template: 'nested', input: { d: '{{ input.d + 1 }}' } } }],
    });
    const res = await world.request('POST', '/api/v1/templates/nested/runs', { input: { d: 0 } });
    const { runId } = (await res.json()) as { runId: string };
    const deepest = `${runId}${`.${node}.1`.repeat(3)}`;
    expect(deepest).toHaveLength(237);
    await expect.poll(async () => (await world.request('GET', `/api/v1/runs/${deepest}`)).status, { timeout: 10_000 }).toBe(200);
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId: deepest, afterSeq: 0 });
    client.send({ type: 'subscribe', runId: 'r'.repeat(256) });
    const messages = await client.until((m) => runEnded(deepest)(m) && m.some((x) => x.type === 'error'));
    expect(eventsOf(messages, deepest).map((e) => e.event)).toEqual(['run.started', 'node.skipped', 'run.completed']);
    expect(messages.filter((m) => m.type === 'error')).toEqual([expect.objectContaining({ code: 'bad-message', message: 'runId must be a string of 1 to 255 characters' })]);
    client.close();
  });

  it('follows many runs on one connection', async () => {
    const runs = await Promise.all([start(world, 'chain'), start(world, 'chain'), start(world, 'chain')]);
    const client = await TestSocket.open(server.wsUrl);
    runs.forEach((runId) => client.send({ type: 'subscribe', runId, afterSeq: 0 }));
    await client.until((m) => runs.every((r) => runEnded(r)(m)));
    for (const runId of runs) {
      const events = eventsOf(client.messages, runId);
      expect(seqs(events)).toEqual(range(1, events.at(-1)!.seq));
    }
    client.close();
  });

  it('answers bad messages with an error and stays usable; nothing a client sends breaks it', async () => {
    const client = await TestSocket.open(server.wsUrl);
    for (const bad of ['not json', '[]', 'null', '{"type":"subscribe"}', '{"type":"subscribe","runId":"x","afterSeq":-1}', '{"type":"explode"}', '{"__proto__":{"polluted":1},"type":"ping"}']) client.send(bad);
    client.send({ type: 'subscribe', runId: 'no-such-run' });
    client.send({ type: 'ping' });
    const messages = await client.until((m) => m.filter((x) => x.type === 'pong').length >= 2 && m.some((x) => x.type === 'error' && x.code === 'not-found'));
    expect(messages.filter((m) => m.type === 'error' && m.code === 'bad-message')).toHaveLength(6);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    client.close();
  });

  it('closes a connection that sends a frame over 1 MB', async () => {
    const client = await TestSocket.open(server.wsUrl);
    client.send('x'.repeat(1024 * 1024 + 1));
    expect(await client.closed()).toBe(1009);
  });

  it('holds back only a client resuming past the run\'s latest event: others following the run still get every event', async () => {
    const runId = await start(world, 'patient');
    // Once the run's first events are out and before its next, the first to follow it here claims far more.
    await new Promise((r) => setTimeout(r, 300));
    const ahead = await TestSocket.open(server.wsUrl);
    ahead.send({ type: 'subscribe', runId, afterSeq: 1_000_000 });
    await new Promise((r) => setTimeout(r, 300));
    const follower = await TestSocket.open(server.wsUrl);
    follower.send({ type: 'subscribe', runId, afterSeq: 0 });
    const events = eventsOf(await follower.until(runEnded(runId)), runId);
    expect(seqs(events)).toEqual(range(1, events.length));
    expect(events.at(-1)?.event).toBe('run.completed');
    ahead.close();
    follower.close();
  });
});

describe('the bridge protections', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await upload(world, { id: 'quick', name: 'Quick', nodes: [{ id: 'a', type: 'transform', config: { value: 1 } }] });
    await upload(world, { id: 'waiting', name: 'Waiting', nodes: [{ id: 'a', type: 'delay', config: { duration: '1h' } }] });
  });
  afterAll(async () => world?.close());

  it('limits subscriptions per connection, and frees a slot when one is given up, or when its run ends', async () => {
    const server = await serveWorld(world, { maxSubscriptions: 2 });
    const open: string[] = [];
    for (let i = 0; i < 3; i++) open.push(await start(world, 'waiting'));
    const [first, second, third] = open as [string, string, string];
    const snapshotOf = (runId: string) => (m: ServerMessage[]) => m.some((x) => x.type === 'snapshot' && x.runId === runId);
    const client = await TestSocket.open(server.wsUrl);
    for (const runId of open) client.send({ type: 'subscribe', runId });
    await client.until((m) => m.some((x) => x.type === 'error') && snapshotOf(first)(m) && snapshotOf(second)(m));
    expect(client.messages.filter((x) => x.type === 'error')).toEqual([expect.objectContaining({ code: 'too-many-subscriptions', runId: third })]);
    expect(snapshotOf(third)(client.messages)).toBe(false);

    client.send({ type: 'unsubscribe', runId: first });
    client.send({ type: 'subscribe', runId: third });
    await client.until(snapshotOf(third));
    expect(client.messages.filter((x) => x.type === 'error')).toHaveLength(1);
    client.close();

    // Runs that have ended, followed from the start or by their snapshot, hold no place once their end is sent.
    const ended = [(await runToEnd(world, 'quick')).runId, (await runToEnd(world, 'quick')).runId];
    const follower = await TestSocket.open(server.wsUrl);
    follower.send({ type: 'subscribe', runId: ended[0], afterSeq: 0 });
    follower.send({ type: 'subscribe', runId: ended[1] });
    await follower.until((m) => runEnded(ended[0]!)(m) && snapshotOf(ended[1]!)(m));
    follower.send({ type: 'subscribe', runId: first });
    follower.send({ type: 'subscribe', runId: second });
    await follower.until((m) => snapshotOf(first)(m) && snapshotOf(second)(m));
    expect(follower.messages.filter((x) => x.type === 'error')).toEqual([]);
    follower.close();
    await server.close();
  });

  it('rate-limits messages, then closes a client that keeps flooding', async () => {
    const server = await serveWorld(world, { messagesPerSecond: 1, messageBurst: 3, maxRejectedMessages: 5 });
    const client = await TestSocket.open(server.wsUrl);
    for (let i = 0; i < 5; i++) client.send({ type: 'ping' });
    await client.until((m) => m.some((x) => x.type === 'error' && x.code === 'rate-limited'));
    expect(client.messages.filter((m) => m.type === 'pong')).toHaveLength(3);
    for (let i = 0; i < 10; i++) client.send({ type: 'ping' });
    expect(await client.closed()).toBe(closeCodes.abusive);
    await server.close();
  });

  it('closes a slow consumer with a code that says to resume with afterSeq: one that stays behind, or falls far behind', async () => {
    const far = await serveWorld(world, { maxBufferedBytes: -1, hardBufferedBytes: -1 });
    const farBehind = await TestSocket.open(far.wsUrl);
    farBehind.send({ type: 'ping' });
    expect(await farBehind.closed()).toBe(closeCodes.slowConsumer);
    await far.close();
    // Every send finds this one behind: it is closed once it has been so for the grace, not before.
    const staying = await serveWorld(world, { maxBufferedBytes: -1, slowConsumerGraceMs: 300 });
    const stays = await TestSocket.open(staying.wsUrl);
    const opened = Date.now();
    const pinging = setInterval(() => stays.send({ type: 'ping' }), 50);
    try {
      expect(await stays.closed()).toBe(closeCodes.slowConsumer);
      expect(Date.now() - opened).toBeGreaterThanOrEqual(300);
      expect(stays.messages.filter((m) => m.type === 'pong').length).toBeGreaterThan(0);
    } finally {
      clearInterval(pinging);
      await staying.close();
    }
  });

  it('keeps a client that reads as fast as it can through a burst larger than the backlog it may keep', async () => {
    await upload(world, {
      id: 'burst', name: 'Burst', maxParallel: 40,
      nodes: [
        { id: 'root', type: 'delay', config: { duration: '500ms' } },
        ...Array.from({ length: 40 }, (_, i) => ({ id: `wide${i}`, type: 'transform', needs: ['root'], config: { value: "{{ $pad('', 20000, 'x') }}" } })),
      ],
    });
    // 40 outputs of 20 KB end in one workflow task: 800 KB in one turn, past the 100 KB a client may be behind.
    const small = await serveWorld(world, { maxBufferedBytes: 100_000 });
    const client = await TestSocket.open(small.wsUrl);
    const runId = await start(world, 'burst');
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    const events = eventsOf(await client.until(runEnded(runId)), runId);
    expect(seqs(events)).toEqual(range(1, events.at(-1)!.seq));
    expect(events.filter((e) => e.event === 'node.completed')).toHaveLength(41);
    expect(client.closeCode).toBeUndefined();
    client.close();
    await small.close();
  });

  it('reaps a connection that stops answering heartbeats', async () => {
    const server = await serveWorld(world, { heartbeatMs: 100 });
    const dead = await TestSocket.open(server.wsUrl, { autoPong: false });
    const alive = await TestSocket.open(server.wsUrl);
    expect(await dead.closed()).toBe(closeCodes.heartbeatTimeout);
    expect(alive.closeCode).toBeUndefined();
    alive.close();
    await server.close();
  });
});

describe('a lossy live path', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 100) });
    // Every other live event never reaches the API: the bridge must repair from the run's events.
    world = await startWorld('pglite', { dropLive: (event) => event.seq % 2 === 0 });
    await upload(world, slowChain('lossy', upstream.url, 4));
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('still delivers every event in order, once', async () => {
    const server = await serveWorld(world);
    const runId = await start(world, 'lossy');
    const client = await TestSocket.open(server.wsUrl);
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    const events = eventsOf(await client.until(runEnded(runId)), runId);
    expect(seqs(events)).toEqual(range(1, events.at(-1)!.seq));
    client.close();
    await server.close();
  });
});
