import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/runs/start-run.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { hasPostgres } from '../support/database.js';
import { command, finish } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/**
 * Before a run goes on in a new execution it writes its events to the index. PostgreSQL (a server of its own,
 * unlike PGlite inside the worker) is made slow here, so that things happen while the write goes on: a command
 * reaches the execution, or a wait it hands over ends.
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
    await upload(world, {
      id: 'handing-over', name: 'Handing over',
      // `wait` waits through the first two workflow tasks; `tick` ending starts the second, whose events reach the
      // threshold: the run moves on, handing `wait` over, and `wait` ends while the events are being written.
      nodes: [
        { id: 'wait', type: 'delay', config: { duration: '3s' } },
        { id: 'tick', type: 'delay', config: { duration: '1s' } },
        { id: 't', type: 'transform', needs: ['tick'], config: { value: 1 } },
        { id: 'after', type: 'transform', needs: ['wait'], config: { value: 2 } },
      ],
    });
    // Writing a run's first event takes as long as `slow_write` says, this database being the test's own.
    await world.database.db.execute(sql`create table slow_write (seconds float not null)`);
    await world.database.db.execute(sql`insert into slow_write values (12)`);
    await world.database.db.execute(sql`create function slow_events() returns trigger language plpgsql as $$ begin perform pg_sleep((select seconds from slow_write)); return new; end $$`);
    await world.database.db.execute(sql`create trigger slow_events before insert on run_events for each row when (new.seq = 1) execute function slow_events()`);
  });
  afterAll(async () => world?.close());

  const executionsOf = async (runId: string) => {
    const executions: string[] = [];
    for await (const execution of world.temporal.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(execution.runId);
    return executions;
  };

  /** Each node's events, in order, as a client reads them. */
  const eventsByNode = (events: RunEvent[]) => {
    const byNode: Record<string, string[]> = {};
    for (const e of events) if (e.nodeId) (byNode[e.nodeId] ??= []).push(e.type);
    return byNode;
  };

  /**
   * Runs `handing-over` with the first event's write taking `seconds`, to its end: completed, every event once
   * (`finish`), and each node's events as it ran them. Answers the run's id.
   */
  const runHandingOver = async (seconds: number): Promise<string> => {
    await world.database.db.execute(sql`update slow_write set seconds = ${seconds}`);
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'handing-over', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 7 } });
    const { state, events } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(eventsByNode(events)).toEqual({
      wait: ['node.started', 'node.waiting', 'node.completed'],
      tick: ['node.started', 'node.waiting', 'node.completed'],
      t: ['node.started', 'node.completed'],
      after: ['node.started', 'node.completed'],
    });
    return runId;
  };

  it('stores the events of a wait that ends while the run writes its events, so the next execution goes on without a gap', async () => {
    // The write outlasts a workflow task: the worker heartbeats the task, and `wait` ends in the execution.
    const runId = await runHandingOver(12);
    expect((await executionsOf(runId)).length).toBe(2);
  }, 60_000);

  it('keeps the events as the run ran them when Temporal refuses the task that wrote them first', async () => {
    // The write ends within the task, but `wait` has ended meanwhile: Temporal refuses the task, and the task that
    // takes its place numbers the events otherwise. The index must hold that task's events, not the first.
    const runId = await runHandingOver(6);
    const refused = [];
    for (const execution of await executionsOf(runId)) {
      const history = await world.temporal.client.workflow.getHandle(runId, execution).fetchHistory();
      refused.push(...(history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes));
    }
    expect(refused).toHaveLength(1);
  }, 60_000);

  it('refuses commands while it hands its state over, and goes on without a gap', async () => {
    await world.database.db.execute(sql`update slow_write set seconds = 12`);
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
    expect((await executionsOf(runId)).length).toBeGreaterThan(1);
  }, 60_000);
});
