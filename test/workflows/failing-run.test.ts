import type { ServerResponse } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/database.js';
import { command, finish, nodeOf, start, trace, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/**
 * A node whose failure fails the run ends it as soon as what is in flight is cancelled. A child run takes a
 * moment to end, and here much longer: its close waits for a row lock the test holds on its row of the index.
 */
describe.skipIf(!hasPostgres())('a run that is failing', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  /** Requests to /gate and /verdict wait here until the test answers them. */
  const held = new Map<string, ServerResponse[]>();
  const hold = (path: string) => (_req: unknown, res: ServerResponse) => held.set(path, [...(held.get(path) ?? []), res]);

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /gate': hold('gate'), 'GET /verdict': hold('verdict') });
    world = await startWorld('postgres');
    await upload(world, { id: 'slow-child', name: 'Slow child', nodes: [{ id: 'call', type: 'http', config: { url: `${upstream.url}/gate` } }] });
    await upload(world, {
      id: 'failing', name: 'Failing',
      nodes: [
        { id: 'child', type: 'subworkflow', config: { template: 'slow-child', input: {} } },
        { id: 'verdict', type: 'http', retry: { maxAttempts: 1 }, config: { url: `${upstream.url}/verdict` } },
      ],
    });
  });
  afterAll(async () => {
    for (const res of [...held.values()].flat()) if (!res.writableEnded) json(res, 200, {});
    await world?.close();
    await upstream?.close();
  });

  it('takes no command while it ends: it ends failed, with the error of the node that failed it', async () => {
    const runId = await start(world, 'failing');
    await waitFor(world, runId, (s) => nodeOf(s, 'child').status === 'running' && (held.get('verdict')?.length ?? 0) > 0 && (held.get('gate')?.length ?? 0) > 0);
    const [child] = ((await (await world.request('GET', `/api/v1/runs?parentRunId=${runId}`)).json()) as { items: Array<{ runId: string }> }).items;
    const locker = postgres(world.database.url!, { max: 1, onnotice: () => {} });
    let unlock!: () => void;
    const locked = new Promise<void>((resolve, reject) => {
      locker.begin(async (tx) => {
        await tx`select 1 from runs where id = ${child!.runId} for update`;
        resolve();
        await new Promise<void>((r) => (unlock = r));
      }).catch(reject);
    });
    try {
      await locked;
      json(held.get('verdict')![0]!, 400, { error: 'no' });
      const failing = await waitFor(world, runId, (s) => nodeOf(s, 'verdict').status === 'failed');
      expect(failing.status).toBe('running');
      for (const path of ['cancel', 'pause', 'nodes/child/skip']) {
        // A command the run took would wait for the run to end, which the lock holds back.
        const answer = await Promise.race([
          command(world, runId, path, path === 'cancel' ? { reason: 'operator' } : undefined).then((r) => [r.status, r.body.title]),
          new Promise((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5_000)),
        ]);
        expect([path, answer]).toEqual([path, [409, 'the run is failing because of node "verdict"']]);
      }
    } finally {
      unlock?.();
      await locker.end();
    }
    const { state, events } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'failed', error: { type: 'NodeFailed', nodeId: 'verdict' } });
    expect(nodeOf(state, 'child').status).toBe('cancelled');
    expect(trace(events).filter((e) => e.startsWith('run.'))).toEqual(['run.started', 'run.failed']);
  });
});
