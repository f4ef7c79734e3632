import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf } from '../support/problem.js';
import { nodeOf, start, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/**
 * An open run's state lives in its workflow, which only a worker reads. With the API up and no worker polling
 * (workers stopped, or being deployed), reads of such runs say so, rather than answer with a guess.
 */
describe('reading runs while no worker is up', () => {
  let world: World;
  let waiting: string;
  let terminated: string;
  beforeAll(async () => {
    world = await startWorld();
    await upload(world, { id: 'asks', name: 'Asks', nodes: [{ id: 'ok', type: 'approval', config: { prompt: 'Go on?' } }] });
    [waiting, terminated] = [await start(world, 'asks'), await start(world, 'asks')];
    for (const runId of [waiting, terminated]) await waitFor(world, runId, (s) => nodeOf(s, 'ok').status === 'waiting');
    await world.stopWorker();
    // Closed from outside after its workflow ran: only a worker replaying it can say what it had done.
    await world.temporal.client.workflow.getHandle(terminated).terminate('operator');
  });
  afterAll(async () => world?.close());

  it('answers 503 for what only the workflow knows, once Temporal has waited for a worker, and never a state it made up', async () => {
    const began = Date.now();
    const answers = await Promise.all([
      world.request('GET', `/api/v1/runs/${waiting}`),
      world.request('GET', `/api/v1/runs/${waiting}/events?after=0`),
      world.request('POST', `/api/v1/runs/${waiting}/nodes/ok/approve`, { decision: 'approve' }),
      world.request('GET', `/api/v1/runs/${terminated}`),
      world.request('GET', `/api/v1/runs/${terminated}/events?after=0`),
    ]);
    expect(Date.now() - began).toBeLessThan(45_000);
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect((await problemOf(res)).title).toMatch(/no worker answered for run/);
    }
    // The index still has both as they started; listing does not need a worker.
    const listed = (await (await world.request('GET', '/api/v1/runs?templateId=asks')).json()) as { items: Array<{ runId: string }> };
    expect(listed.items.map((r) => r.runId).sort()).toEqual([waiting, terminated].sort());
  }, 90_000);
});
