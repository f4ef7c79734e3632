import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deleteRun, getRun, getRunEvents, insertChildRun, insertRun } from '../../src/db/runs.js';
import { getTemplateVersion } from '../../src/db/templates.js';
import { repairRunIndex, startRunIndexRepair } from '../../src/runs/repair-index.js';
import { interpreterWorkflowType } from '../../src/workflows/definitions.js';
import type { RunInput } from '../../src/workflows/input.js';
import { runStateSchema, type RunState } from '../../src/workflows/state.js';
import { databaseKinds, hasPostgres } from '../support/database.js';
import { eventsOf, start, waitFor } from '../support/run-control.js';
import { expectGapless, runToEnd, upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/**
 * Rows the run index holds as open after Temporal closed their run (a terminate, a timeout, a final write lost)
 * are rebuilt from the closed workflow. Rows are read straight from the database: the API would ask the workflow.
 */
describe.each(databaseKinds)('the run index repair (%s)', (kind) => {
  const skip = kind === 'postgres' && !hasPostgres();
  let world: World;
  const since = new Date();

  beforeAll(async () => {
    if (skip) return;
    world = await startWorld(kind);
    await upload(world, {
      id: 'long', name: 'Long',
      nodes: [
        { id: 'first', type: 'transform', config: { value: 1 } },
        { id: 'wait', type: 'delay', needs: ['first'], config: { duration: '1h' } },
        { id: 'after', type: 'transform', needs: ['wait'], config: { value: 2 } },
      ],
    });
    await upload(world, {
      id: 'echo', name: 'Echo',
      nodes: [{ id: 'say', type: 'transform', config: { value: '{{ input.text }}' } }],
      output: '{{ nodes.say.output }}',
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  const deps = () => ({ db: world.database.db, client: world.temporal.client });
  const handleOf = (runId: string) => world.temporal.client.workflow.getHandle(runId);

  /**
   * Repairs until `runId` is among the repaired: visibility may list a closed run a moment late. A sweep that
   * could not rewrite a run is tried again, as the repair loop tries it: on a loaded machine a closed run's query,
   * which a worker answers by replaying it, was once seen to fail after 30 s.
   */
  async function repairUntil(runId: string): Promise<void> {
    let failed: Error | undefined;
    for (const until = Date.now() + 40_000; ; ) {
      try {
        const { repaired } = await repairRunIndex(deps(), { since });
        if (repaired.includes(runId)) return;
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
        // What failed, should it ever not pass on a second try.
        console.warn('repair sweep failed, trying again:', err instanceof AggregateError ? err.errors : err);
      }
      if (Date.now() > until) throw failed ?? new Error(`run ${runId} was never repaired`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Starts a run of `long` as the API would, but with Temporal start options the API does not set. */
  async function startLong(options: { workflowExecutionTimeout?: string; startDelay?: string }): Promise<string> {
    const stored = await getTemplateVersion(world.database.db, 'long');
    const runId = randomUUID();
    const startedAt = new Date();
    const args: RunInput = { runId, templateId: 'long', templateVersion: stored!.version, template: stored!.definition, input: {}, trigger: 'api', startedAt: startedAt.toISOString() };
    await insertRun(world.database.db, { id: runId, templateId: 'long', templateVersion: stored!.version, trigger: 'api', input: {}, startedAt });
    await world.temporal.client.workflow.start(interpreterWorkflowType, { workflowId: runId, taskQueue: world.taskQueue, args: [args], ...options });
    return runId;
  }

  async function waitingRun(): Promise<string> {
    const runId = await start(world, 'long');
    await waitFor(world, runId, (s) => s.nodes.some((n) => n.id === 'wait' && n.status === 'waiting'));
    return runId;
  }

  async function listed(status: string): Promise<string[]> {
    const res = await world.request('GET', `/api/v1/runs?status=${status}&limit=100`);
    return ((await res.json()) as { items: Array<{ runId: string }> }).items.map((r) => r.runId);
  }

  it.skipIf(skip)('ends a run terminated from outside as cancelled, with the reason, ended nodes and a final event', async () => {
    const runId = await waitingRun();
    await handleOf(runId).terminate('operator pulled the plug');
    expect((await getRun(world.database.db, runId))?.status).toBe('running');
    expect(await listed('cancelled')).not.toContain(runId);
    // Before the repair writes it, the API already reads the run as it will be written, and a wait for its end ends.
    const read = runStateSchema.parse(await (await world.request('GET', `/api/v1/runs/${runId}/result?wait=10`)).json());
    expect(read).toMatchObject({ status: 'cancelled', error: { type: 'Terminated', message: expect.stringContaining('operator pulled the plug') } });
    const readEvents = await eventsOf(world, runId);
    expectGapless(readEvents, read.seq);
    expect(readEvents.at(-1)?.type).toBe('run.cancelled');

    await repairUntil(runId);
    const row = await getRun(world.database.db, runId);
    const state = runStateSchema.parse(row?.state);
    expect(row?.status).toBe('cancelled');
    expect(row?.endedAt).toBeInstanceOf(Date);
    expect(row?.error).toEqual({ type: 'Terminated', message: expect.stringContaining('operator pulled the plug') });
    expect(state).toMatchObject({ status: 'cancelled', progress: 100, inFlight: [], endedAt: row?.endedAt?.toISOString() });
    expect(state).toEqual(read);
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([['first', 'completed'], ['wait', 'cancelled'], ['after', 'cancelled']]);
    expect(state.nodes.find((n) => n.id === 'wait')?.waitingFor).toBeUndefined();

    const events = await eventsOf(world, runId);
    expectGapless(events, state.seq);
    expect(events.slice(-3).map((e) => `${e.type}:${e.nodeId ?? ''}`)).toEqual(['node.cancelled:wait', 'node.cancelled:after', 'run.cancelled:']);
    expect(await listed('cancelled')).toContain(runId);
    expect(await listed('running')).not.toContain(runId);
  });

  it.skipIf(skip)('rewrites a completed run whose final write was lost with its real final state and events', async () => {
    // Over the state query's 32 KB cut: the repair must keep the output whole, as the worker would have.
    const text = 'x'.repeat(40_000);
    const { runId } = await runToEnd(world, 'echo', { text });
    const before = await getRun(world.database.db, runId);
    const eventsBefore = await getRunEvents(world.database.db, runId, 0);
    expect(before?.status).toBe('completed');
    await world.database.db.execute(sql`update runs set status = 'running', state = null, output = null, ended_at = null where id = ${runId}`);
    await world.database.db.execute(sql`delete from run_events where run_id = ${runId}`);

    await repairUntil(runId);
    const after = await getRun(world.database.db, runId);
    expect(after).toMatchObject({ status: 'completed', output: text, endedAt: before?.endedAt, state: before?.state });
    expect((after?.state as RunState).output).toBe(text);
    expect(await getRunEvents(world.database.db, runId, 0)).toEqual(eventsBefore);
  });

  it.skipIf(skip)('ends a run that hit its execution timeout as failed', async () => {
    const runId = await startLong({ workflowExecutionTimeout: '1s' });
    await handleOf(runId).result().catch(() => undefined);

    await repairUntil(runId);
    const row = await getRun(world.database.db, runId);
    expect(row?.status).toBe('failed');
    expect(row?.error).toMatchObject({ type: 'TimedOut' });
    const events = await getRunEvents(world.database.db, runId, 0);
    expectGapless(events, (row?.state as RunState).seq);
    expect(events.at(-1)).toMatchObject({ type: 'run.failed', data: { error: { type: 'TimedOut' } } });
  });

  it.skipIf(skip)('ends a run Temporal closed before the interpreter ever ran it, and answers its state meanwhile', async () => {
    // A start delay holds back the first workflow task: the terminate lands before any workflow code has run, so
    // there is no state to query, only the template the run was started with.
    const runId = await startLong({ startDelay: '1h' });
    // Until a worker runs it, the run answers as it was started.
    const waiting = await world.request('GET', `/api/v1/runs/${runId}`);
    expect(waiting.status).toBe(200);
    expect(runStateSchema.parse(await waiting.json())).toMatchObject({ runId, status: 'running', progress: 0, seq: 0, nodes: [{ id: 'first', status: 'pending' }, { id: 'wait', status: 'pending' }, { id: 'after', status: 'pending' }] });
    expect(await eventsOf(world, runId)).toEqual([]);
    // No node has run, so none has an output; a node the template lacks is still unknown; nothing waits for a decision.
    const output = await world.request('GET', `/api/v1/runs/${runId}/nodes/first/output`);
    expect([output.status, ((await output.json()) as { title: string }).title]).toEqual([409, 'node "first" is pending: it has no output yet']);
    expect((await world.request('GET', `/api/v1/runs/${runId}/nodes/nope/output`)).status).toBe(404);
    const decided = await world.request('POST', `/api/v1/runs/${runId}/nodes/first/approve`, { decision: 'approve' });
    expect(decided.status).toBe(409);
    expect(((await decided.json()) as { title: string }).title).toMatch(/has not started yet/);
    await handleOf(runId).terminate('never wanted');

    const read = await world.request('GET', `/api/v1/runs/${runId}`);
    expect(read.status).toBe(200);
    const answered = runStateSchema.parse(await read.json());
    expect(answered).toMatchObject({ runId, status: 'cancelled', progress: 100, error: { type: 'Terminated', message: expect.stringContaining('never wanted') } });
    expect(answered.nodes.map((n) => n.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);

    await repairUntil(runId);
    const row = await getRun(world.database.db, runId);
    expect(row).toMatchObject({ status: 'cancelled', error: { type: 'Terminated' } });
    expect(row?.state).toEqual(answered);
    const events = await eventsOf(world, runId);
    expectGapless(events, answered.seq);
    expect(events.map((e) => `${e.type}:${e.nodeId ?? ''}`)).toEqual(['node.cancelled:first', 'node.cancelled:wait', 'node.cancelled:after', 'run.cancelled:']);
  });

  it.skipIf(skip)('leaves the row of a run that is still going on alone', async () => {
    const runId = await waitingRun();
    const { repaired } = await repairRunIndex(deps(), { since });
    expect(repaired).not.toContain(runId);
    expect(await getRun(world.database.db, runId)).toMatchObject({ status: 'running', state: null, endedAt: null });
    await handleOf(runId).terminate('test over');
  });

  it.skipIf(skip)('ends the row of a child run its parent wrote but never started, and leaves children Temporal has alone', async () => {
    const { runId: parent } = await runToEnd(world, 'echo', { text: 'hi' });
    const stored = await getTemplateVersion(world.database.db, 'echo');
    // The parent wrote this child's row, then ended before it started the child: Temporal has no such run.
    const ghost = `${parent}.ghost.1`;
    await insertChildRun(world.database.db, { id: ghost, parentRunId: parent, templateId: 'echo', templateVersion: stored!.version, input: { text: 'never' }, startedAt: new Date() });
    // An open child row of the same closed parent that Temporal does have, still going on.
    const known = await waitingRun();
    await world.database.db.execute(sql`update runs set parent_run_id = ${parent} where id = ${known}`);

    const { repaired } = await repairRunIndex(deps(), { since });
    expect(repaired).toContain(ghost);
    expect(repaired).not.toContain(known);
    const row = await getRun(world.database.db, ghost);
    expect(row).toMatchObject({ status: 'cancelled', error: { type: 'NeverStarted', message: expect.stringContaining('never started') } });
    const state = runStateSchema.parse(row?.state);
    expect(state.nodes.map((n) => n.status)).toEqual(['cancelled']);
    const events = await getRunEvents(world.database.db, ghost, 0);
    expectGapless(events, state.seq);
    expect(events.at(-1)?.type).toBe('run.cancelled');
    expect((await world.request('GET', `/api/v1/runs/${ghost}`)).status).toBe(200);
    expect(await getRun(world.database.db, known)).toMatchObject({ status: 'running', state: null });
    await handleOf(known).terminate('test over');
  });

  it.skipIf(skip)('ends the row of a run whose start never reached Temporal once the start could no longer be on its way', async () => {
    const { db } = world.database;
    const stored = await getTemplateVersion(db, 'echo');
    const row = { templateId: 'echo', templateVersion: stored!.version, trigger: 'api', input: { text: 'never' } };
    const longAgo = new Date(Date.now() - 10 * 60_000);
    // The API wrote this row, then died before it asked Temporal to start the run.
    const ghost = randomUUID();
    await insertRun(db, { id: ghost, ...row, startedAt: longAgo });
    // One written just now: its start may still be on its way to Temporal.
    const fresh = randomUUID();
    await insertRun(db, { id: fresh, ...row, startedAt: new Date() });
    // A run started as long ago that Temporal has, still going on.
    const known = await waitingRun();
    await db.execute(sql`update runs set started_at = ${longAgo.toISOString()}::timestamptz where id = ${known}`);

    const { repaired } = await repairRunIndex(deps(), { since });
    expect(repaired).toContain(ghost);
    expect(repaired).not.toContain(fresh);
    expect(repaired).not.toContain(known);
    const ended = await getRun(db, ghost);
    expect(ended).toMatchObject({ status: 'cancelled', error: { type: 'NeverStarted', message: expect.stringContaining('the request that started it ended before Temporal took it') } });
    const events = await getRunEvents(db, ghost, 0);
    expectGapless(events, runStateSchema.parse(ended?.state).seq);
    expect(events.at(-1)?.type).toBe('run.cancelled');
    expect((await world.request('GET', `/api/v1/runs/${ghost}`)).status).toBe(200);
    expect(await getRun(db, fresh)).toMatchObject({ status: 'running', state: null });
    expect(await getRun(db, known)).toMatchObject({ status: 'running', state: null });
    await deleteRun(db, fresh);
    await handleOf(known).terminate('test over');
  });

  it.skipIf(skip)('sweeps by itself from the oldest open row, and stops', async () => {
    // Many runs at once: the sweep's calls, which all listen to its stop signal, are no leak for Node to warn of.
    const runIds = await Promise.all(Array.from({ length: 12 }, () => waitingRun()));
    const warnings: string[] = [];
    const note = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', note);
    const repair = startRunIndexRepair(deps(), { intervalMs: 100 });
    try {
      await Promise.all(runIds.map((runId) => handleOf(runId).terminate()));
      const open = async () => (await Promise.all(runIds.map((runId) => getRun(world.database.db, runId)))).filter((row) => row?.status !== 'cancelled');
      for (const until = Date.now() + 15_000; (await open()).length > 0; ) {
        if (Date.now() > until) throw new Error('the sweep never repaired the runs');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await getRun(world.database.db, runIds[0]!))?.error).toMatchObject({ type: 'Terminated' });
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', note);
      await repair.stop();
    }
  });

  it.skipIf(skip)('goes on past a run it cannot rewrite, trying that one again each time twice as late', async () => {
    // A run whose workflow throws on every task (it was started without a template), so no query of it answers,
    // and whose row names a template the index does not hold, so it cannot be rebuilt from that either.
    const broken = randomUUID();
    await insertRun(world.database.db, { id: broken, templateId: 'gone', templateVersion: 1, trigger: 'api', input: {}, startedAt: new Date() });
    await world.temporal.client.workflow.start(interpreterWorkflowType, { workflowId: broken, taskQueue: world.taskQueue, args: [{ runId: broken } as RunInput] });
    await handleOf(broken).terminate('cannot be replayed');
    const closedAt = (await handleOf(broken).describe()).closeTime!;
    // Listed as closed before the sweeps begin, so that none can miss it for visibility's lag.
    for (const until = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 100))) {
      const listedNow = world.temporal.client.workflow.list({ query: `WorkflowId = '${broken}' AND ExecutionStatus = 'Terminated'` });
      if ((await listedNow[Symbol.asyncIterator]().next()).done === false) break;
      if (Date.now() > until) throw new Error('the terminated run was never listed');
    }
    const list = vi.spyOn(world.temporal.client.workflow, 'list');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Each try of the broken run queries its closed execution through a handle on that execution.
    const tries: number[] = [];
    const getHandle = world.temporal.client.workflow.getHandle.bind(world.temporal.client.workflow);
    const handles = vi.spyOn(world.temporal.client.workflow, 'getHandle').mockImplementation((workflowId, runId, options) => {
      if (workflowId === broken && runId !== undefined) tries.push(Date.now());
      return getHandle(workflowId, runId, options);
    });
    const intervalMs = 100;
    // A margin for visibility's lag: without one, a run closed just before a sweep began but listed only after
    // that sweep's query is behind every later sweep's window. Small enough that the window still passes the
    // broken run's close long before the later run is repaired.
    const repair = startRunIndexRepair(deps(), { intervalMs, marginMs: 500 });
    try {
      for (const until = Date.now() + 15_000; tries.length < 4; await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > until) throw new Error(`the broken run was tried ${tries.length} times`);
      }
      // Later runs are still repaired, by sweeps that no longer look back past the broken run's close.
      const later = await waitingRun();
      await handleOf(later).terminate();
      for (const until = Date.now() + 15_000; (await getRun(world.database.db, later))?.status !== 'cancelled'; await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > until) throw new Error('the sweep never repaired the later run');
      }
      const since = (query: unknown) => new Date(/CloseTime >= '([^']+)'/.exec(String(query))![1]!);
      const bounds = list.mock.calls.map(([options]) => since(options?.query));
      expect(bounds.at(-1)!.getTime()).toBeGreaterThan(closedAt.getTime());
      // Each try of the broken run comes at least twice as late as the one before: 2, 4, 8 intervals.
      const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(intervalMs * 2 ** (i + 1) - 20));
      expect((await getRun(world.database.db, broken))?.status).toBe('running');
      expect(warn.mock.calls.some(([message]) => String(message).includes('could not rewrite') && String(message).includes(broken))).toBe(true);
    } finally {
      await repair.stop();
      list.mockRestore();
      handles.mockRestore();
      warn.mockRestore();
      // Left open, it would fail every later sweep of this file.
      await deleteRun(world.database.db, broken);
    }
  });

  it.skipIf(skip)('stops in the middle of a sweep at once, without calling it a failure', async () => {
    // A run whose worker is gone: it ran (so the repair asks it for its state) and was then terminated, and no
    // worker polls its task queue, so the query that would replay it waits for one. The sweep hangs in it.
    const gone = await startWorld(kind);
    let runId: string;
    try {
      await upload(gone, { id: 'long', name: 'Long', nodes: [{ id: 'wait', type: 'delay', config: { duration: '1h' } }] });
      runId = await start(gone, 'long');
      await waitFor(gone, runId, (s) => s.nodes[0]?.status === 'waiting');
    } finally {
      await gone.close();
    }
    await handleOf(runId).terminate('its worker is gone');
    const started = await handleOf(runId).describe();
    await insertRun(world.database.db, { id: runId, templateId: 'long', templateVersion: 1, trigger: 'api', input: {}, startedAt: started.startTime });
    // The sweep lists closed runs from visibility, which may show the close a moment late.
    const query = `WorkflowId = '${runId}' AND ExecutionStatus = 'Terminated'`;
    await expect.poll(async () => (await world.temporal.client.workflow.count(query)).count, { timeout: 10_000 }).toBeGreaterThan(0);

    const warn = vi.spyOn(console, 'warn');
    try {
      const repair = startRunIndexRepair(deps());
      // Long enough for the sweep to list the run and reach its query, which has no worker to answer it.
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await getRun(world.database.db, runId))?.status).toBe('running');
      expect(warn.mock.calls).toEqual([]);
      // The query would hang for as long as the server lets it (about half a minute): stop() must not wait for it.
      const stopped = await Promise.race([repair.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000).unref())]);
      expect(stopped).toBe('stopped');
      // Cut short, the run was not tried: nothing is written, and neither the sweep nor the run is called failed.
      expect((await getRun(world.database.db, runId))?.status).toBe('running');
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
      // Left open, it would hang every later sweep of this file.
      await deleteRun(world.database.db, runId);
    }
  });
});
