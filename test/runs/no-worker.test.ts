import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RunFeed } from '../../src/ui/client/feed.js';
import type { RunState } from '../../src/workflows/state.js';
import { problemOf } from '../support/problem.js';
import { nodeOf, start, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { serveWorld } from '../support/http-server.js';
import { startWorld, type World } from '../support/world.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * An open run's state lives in its workflow, which only a worker reads. With the API up and no worker polling
 * (workers stopped, or being deployed), reads of such runs say so, rather than answer with a guess.
 */
describe('reading runs while no worker is up', () => {
  let world: World;
  let waiting: string;
  let terminated: string;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  let feed: RunFeed | undefined;
  const snapshots: RunState[] = [];
  const problems: string[] = [];
  beforeAll(async () => {
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, { id: 'asks', name: 'Asks', nodes: [{ id: 'ok', type: 'approval', config: { prompt: 'Go on?' } }] });
    [waiting, terminated] = [await start(world, 'asks'), await start(world, 'asks')];
    for (const runId of [waiting, terminated]) await waitFor(world, runId, (s) => nodeOf(s, 'ok').status === 'waiting');
    await world.stopWorker();
    // Closed from outside after its workflow ran: only a worker replaying it can say what it had done.
    await world.temporal.client.workflow.getHandle(terminated).terminate('operator');
  });
  afterAll(async () => {
    feed?.stop();
    await server?.close();
    await world?.close();
  });

  it('answers 503 for what only the workflow knows, once Temporal has waited for a worker, and never a state it made up', async () => {
    const began = Date.now();
    // Over the socket too: a subscription and a room join are answered `unavailable`, which a client may send again.
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'subscribe', runId: waiting });
    socket.send({ type: 'join', runId: waiting, participant: { id: 'ana', role: 'owner' } });
    const socketErrors = socket.until((m) => m.filter((x) => x.type === 'error').length >= 2, 60_000);
    // And the live page's feed, which asks again until it is answered (see the next test).
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    feed = new RunFeed(server.wsUrl, waiting, {
      snapshot: (state) => snapshots.push(state), event: () => undefined, problem: (message) => problems.push(message), connection: () => undefined,
    });
    feed.start();
    const answers = await Promise.all([
      world.request('GET', `/api/v1/runs/${waiting}`),
      world.request('GET', `/api/v1/runs/${waiting}/events?after=0`),
      world.request('POST', `/api/v1/runs/${waiting}/nodes/ok/approve`, { decision: 'approve' }),
      world.request('GET', `/api/v1/runs/${terminated}`),
      world.request('GET', `/api/v1/runs/${terminated}/events?after=0`),
    ]);
    await socketErrors;
    expect(socket.messages.filter((m) => m.type === 'error').map((m) => m.type === 'error' && [m.code, m.message.startsWith('no worker answered for run')])).toEqual([['unavailable', true], ['unavailable', true]]);
    socket.close();
    expect(Date.now() - began).toBeLessThan(45_000);
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect((await problemOf(res)).title).toMatch(/no worker answered for run/);
    }
    // The index still has both as they started; listing does not need a worker.
    const listed = (await (await world.request('GET', '/api/v1/runs?templateId=asks')).json()) as { items: Array<{ runId: string }> };
    expect(listed.items.map((r) => r.runId).sort()).toEqual([waiting, terminated].sort());
  }, 90_000);

  it('serves the live page the run once a worker is back: its feed asks again after being told no worker answered', async () => {
    await expect.poll(() => problems.some((p) => p.startsWith('no worker answered for run')), { timeout: 60_000 }).toBe(true);
    expect(snapshots).toEqual([]);
    await world.startWorker();
    await expect.poll(() => snapshots.length, { timeout: 60_000 }).toBeGreaterThan(0);
    expect(nodeOf(snapshots[0]!, 'ok').status).toBe('waiting');
  }, 120_000);
});
