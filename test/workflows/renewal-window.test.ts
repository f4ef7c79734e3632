import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/runs/start-run.js';
import { hasPostgres } from '../support/database.js';
import { command, finish } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/**
 * Before a run goes on in a new execution it writes its events to the index. PostgreSQL (a server of its own,
 * unlike PGlite inside the worker) is made slow here, so that the write outlasts a workflow task: the worker
 * heartbeats the task, and a command reaches the execution while the write goes on.
 */
describe.skipIf(!hasPostgres())('a run while it moves on to a new execution', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('postgres');
    await upload(world, {
      id: 'renewing', name: 'Renewing',
      // The run goes on in a new execution in its second workflow task, once `first` has waited (a run takes
      // commands only after its first task), handing `wait` over.
      nodes: [
        { id: 'first', type: 'delay', config: { duration: '200ms' } },
        { id: 'a', type: 'transform', needs: ['first'], config: { value: 1 } },
        { id: 'b', type: 'transform', needs: ['a'], config: { value: 2 } },
        { id: 'wait', type: 'delay', needs: ['first'], config: { duration: '1s' } },
      ],
    });
    // Writing a run's first event takes 12 s, this database being the test's own.
    await world.database.db.execute(sql`create function slow_events() returns trigger language plpgsql as $$ begin perform pg_sleep(12); return new; end $$`);
    await world.database.db.execute(sql`create trigger slow_events before insert on run_events for each row when (new.seq = 1) execute function slow_events()`);
  });
  afterAll(async () => world?.close());

  it('refuses commands while it hands its state over, and goes on without a gap', async () => {
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'renewing', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 4 } });
    // The first execution has handed `wait` over and is writing its events. A pause applied now would emit an
    // event that neither that write nor the next execution holds.
    await new Promise((r) => setTimeout(r, 3_000));
    const paused = await command(world, runId, 'pause');
    expect(paused.status).toBe(409);
    expect(paused.body.title).toMatch(/moving on to a new execution/);
    const { state, events } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(events.some((e) => e.type === 'run.pausing' || e.type === 'run.paused')).toBe(false);
    const executions: string[] = [];
    for await (const execution of world.temporal.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(execution.runId);
    expect(executions.length).toBeGreaterThan(1);
  }, 60_000);
});
