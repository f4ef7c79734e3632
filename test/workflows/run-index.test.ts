import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, getRunEvents } from '../../src/db/runs.js';
import type { RunState } from '../../src/workflows/state.js';
import { databaseKinds, hasPostgres } from '../support/database.js';
import { command, start, waitFor } from '../support/run-control.js';
import { expectGapless, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/**
 * The worker writes a run's closing summary before it completes the workflow task that closes the run, so the
 * index is never behind Temporal: as soon as Temporal reports a run closed, its row holds the final state and
 * every event. Read straight from the database, never through the API (which would ask the workflow).
 */
describe.each(databaseKinds)('the run index at close (%s)', (kind) => {
  // Without a PostgreSQL server (DATABASE_URL or Debian's), its variant skips, as the other database tests do.
  const skip = kind === 'postgres' && !hasPostgres();
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    if (skip) return;
    upstream = await startUpstream({
      'GET /ok': (_req, res) => json(res, 200, { n: 1 }),
      'GET /bad': (_req, res) => json(res, 400, { error: 'bad' }),
    });
    world = await startWorld(kind);
    await upload(world, {
      id: 'closing', name: 'Closing',
      nodes: [
        { id: 'call', type: 'http', config: { url: `${upstream.url}/{{ input.path }}` } },
        { id: 'wait', type: 'delay', needs: ['call'], config: { duration: '{{ input.wait }}' } },
        { id: 'out', type: 'transform', needs: ['wait'], config: { value: '{{ nodes.call.output.body.n + 1 }}' } },
      ],
      output: '{{ nodes.out.output }}',
    });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  /** Waits for Temporal to report the run closed, then reads the index row at once. */
  async function closedRow(runId: string) {
    await world.temporal.client.workflow.getHandle(runId).result().catch((err: unknown) => {
      if (!(err instanceof WorkflowFailedError)) throw err;
    });
    const row = await getRun(world.database.db, runId);
    const events = await getRunEvents(world.database.db, runId, 0);
    return { row, state: row?.state as RunState | null, events };
  }

  it.skipIf(skip)('holds the final state and every event of completed runs the moment Temporal closes them', async () => {
    const runIds = await Promise.all(Array.from({ length: 8 }, () => start(world, 'closing', { path: 'ok', wait: '1ms' })));
    for (const runId of runIds) {
      const { row, state, events } = await closedRow(runId);
      expect(row?.status).toBe('completed');
      expect(row?.output).toBe(2);
      expect(row?.endedAt).toBeInstanceOf(Date);
      expect(state?.nodes.map((n) => [n.id, n.status, n.attempts])).toEqual([['call', 'completed', 1], ['wait', 'completed', 1], ['out', 'completed', 1]]);
      expectGapless(events, state!.seq);
      expect(events.at(-1)?.type).toBe('run.completed');
    }
  });

  it.skipIf(skip)('holds failed and cancelled runs the same way', async () => {
    const failed = await start(world, 'closing', { path: 'bad', wait: '1ms' });
    const cancelled = await start(world, 'closing', { path: 'ok', wait: '1h' });
    await waitFor(world, cancelled, (s) => s.nodes.some((n) => n.id === 'wait' && n.status === 'waiting'));
    expect((await command(world, cancelled, 'cancel')).status).toBe(200);

    const fail = await closedRow(failed);
    expect(fail.row?.status).toBe('failed');
    expect(fail.state?.error?.type).toBe('NodeFailed');
    expectGapless(fail.events, fail.state!.seq);
    expect(fail.events.at(-1)?.type).toBe('run.failed');

    const cancel = await closedRow(cancelled);
    expect(cancel.row?.status).toBe('cancelled');
    expect(cancel.state?.nodes.find((n) => n.id === 'wait')?.status).toBe('cancelled');
    expectGapless(cancel.events, cancel.state!.seq);
    expect(cancel.events.at(-1)?.type).toBe('run.cancelled');
  });
});
