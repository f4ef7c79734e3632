import { setMaxListeners } from 'node:events';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { getOpenRuns, oldestOpenRunStart, openChildRunsOfClosedParents, openTopLevelRunsStartedBetween, recordRunSummary, type StartCursor } from '../db/runs.js';
import type { RunRow } from '../db/schema.js';
import { interpreterWorkflowType, stateQuery } from '../workflows/definitions.js';
import { terminalRunStatuses } from '../workflows/state.js';
import { closeOf, endClosedRun } from './closed-by-temporal.js';
import { everyEvent, heldEventPage } from './read-run.js';
import { notRunYet, startingState } from './unstarted-run.js';

/** What the repair needs: the run index and a client of the namespace runs live in. */
export interface RunIndexRepairDeps {
  db: Db;
  client: Client;
}

/** Closed executions looked up in the index per query: one visibility page, one SQL query. */
const pageSize = 500;

/**
 * How long after its row was written a run Temporal has no execution for is taken never to have started: until
 * then the start request that wrote the row may still be trying to reach Temporal.
 */
export const startGraceMs = 5 * 60_000;

/**
 * Makes the run index right for runs Temporal has closed since `since` but whose rows still say they are open:
 * the worker's final write failed (the database was down), or Temporal closed the run from outside (terminate,
 * execution timeout). Each such row gets the run's summary rebuilt from the closed workflow, which a worker
 * replays to answer the state and events queries. Only rows the index already holds are touched: other
 * databases may share the namespace. Throws, after trying every run, when some could not be repaired. `signal`
 * aborts the sweep's calls to Temporal.
 *
 * @example
 * const { repaired } = await repairRunIndex({ db, client }, { since: new Date(Date.now() - 3_600_000) });
 */
export async function repairRunIndex(deps: RunIndexRepairDeps, options: { since: Date; signal?: AbortSignal }): Promise<{ checked: number; repaired: string[] }> {
  const starts = { until: new Date(Date.now() - startGraceMs) };
  // Every Temporal call of the sweep (listing, describe, queries) is cut short when the signal fires.
  const sweep = options.signal
    ? await deps.client.withAbortSignal(options.signal, () => sweepClosedRuns(deps, options.since, starts))
    : await sweepClosedRuns(deps, options.since, starts);
  const errors = [...[...sweep.failed.values()].map((f) => f.error), ...sweep.orphans];
  if (errors.length > 0) throw new AggregateError(errors, `could not repair ${errors.length} run(s) of the index (${sweep.repaired.length} repaired)`);
  return { checked: sweep.checked, repaired: sweep.repaired };
}

/** What one sweep did: the closed executions it listed, the runs it rewrote, and the runs it could not. */
interface Sweep {
  checked: number;
  repaired: string[];
  failed: Map<string, { execution: WorkflowExecutionInfo; error: Error }>;
  /**
   * Errors ending rows of runs that never started ({@link endChildRunsNeverStarted}, {@link endRunsNeverStarted});
   * the next sweep tries again.
   */
  orphans: Error[];
  /** The last row of a run started from outside that the sweep found started, or ended; the next sweep goes on after it. */
  startsCheckedTo: StartCursor | undefined;
}

/**
 * Repairs the open rows of runs closed since `since`. Runs an earlier sweep could not repair go their own way:
 * those in `retry` first, those in `holdBack` (not due yet) not at all.
 */
async function sweepClosedRuns(
  deps: RunIndexRepairDeps, since: Date, starts: { after?: StartCursor; until: Date }, retry: readonly WorkflowExecutionInfo[] = [], holdBack: ReadonlySet<string> = new Set(),
): Promise<Sweep> {
  // `ContinuedAsNew` closes an execution, not the run: the run goes on in the next execution of the same id.
  const query = `WorkflowType = '${interpreterWorkflowType}' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'`
    + ` AND CloseTime >= '${since.toISOString()}'`;
  const sweep: Sweep = { checked: 0, repaired: [], failed: new Map(), orphans: [], startsCheckedTo: starts.after };
  const tried = new Set<string>();
  let page: WorkflowExecutionInfo[] = [];
  const repairPage = async () => {
    const open = new Map((await getOpenRuns(deps.db, page.map((e) => e.workflowId))).map((row) => [row.id, row]));
    for (const execution of page) {
      const row = open.get(execution.workflowId);
      if (!row) continue;
      try {
        if (await repairRun(deps, execution, row)) sweep.repaired.push(row.id);
      } catch (err) {
        sweep.failed.set(row.id, { execution, error: runFailure(row.id, err) });
      }
    }
    page = [];
  };
  for (const execution of retry) {
    tried.add(execution.workflowId);
    page.push(execution);
  }
  await repairPage();
  for await (const execution of deps.client.workflow.list({ query, pageSize })) {
    sweep.checked++;
    if (tried.has(execution.workflowId) || holdBack.has(execution.workflowId)) continue;
    page.push(execution);
    if (page.length === pageSize) await repairPage();
  }
  await repairPage();
  const orphans = await endChildRunsNeverStarted(deps);
  const unstarted = await endRunsNeverStarted(deps, starts);
  sweep.repaired.push(...orphans.ended, ...unstarted.ended);
  sweep.orphans = [...orphans.errors, ...unstarted.errors];
  sweep.startsCheckedTo = unstarted.checkedTo;
  return sweep;
}

/** An error of one run of a sweep, naming the run. */
function runFailure(runId: string, err: unknown): Error {
  return new Error(`run ${runId}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Writes the close of a run Temporal never had: every node cancelled, `NeverStarted` and why (`reason`). */
async function endNeverStarted(deps: RunIndexRepairDeps, row: RunRow, reason?: string): Promise<void> {
  const summary = endClosedRun(await startingState(deps.db, row), [], { status: 'NEVER_STARTED', closedAt: new Date(), reason });
  await recordRunSummary(deps.db, { runId: row.id, templateId: row.templateId, templateVersion: row.templateVersion, trigger: row.trigger, input: row.input, ...summary });
}

/** Whether Temporal has an execution of the run, open or closed. */
function knownToTemporal(deps: RunIndexRepairDeps, runId: string): Promise<boolean> {
  return deps.client.workflow.getHandle(runId).describe().then(() => true, (err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  });
}

/**
 * Ends the rows of runs started from outside that never started. `startRun` writes a run's row, then asks
 * Temporal to start it; an API process that dies in between leaves a row Temporal has no execution for, which
 * the sweep of closed executions never lists, and which would say `running` for good. Rows started after
 * `after` and no later than `until` (at least {@link startGraceMs} ago) are looked at, oldest first, so that a
 * sweep asks Temporal about each row once; such a row is ended as cancelled (`NeverStarted`).
 */
async function endRunsNeverStarted(deps: RunIndexRepairDeps, window: { after?: StartCursor; until: Date }): Promise<{ ended: string[]; errors: Error[]; checkedTo: StartCursor | undefined }> {
  const ended: string[] = [];
  const errors: Error[] = [];
  let checkedTo = window.after;
  for (let page = await openTopLevelRunsStartedBetween(deps.db, checkedTo, window.until, pageSize); page.length > 0;) {
    for (const row of page) {
      try {
        if (!(await knownToTemporal(deps, row.id))) {
          await endNeverStarted(deps, row, 'the request that started it ended before Temporal took it');
          ended.push(row.id);
        }
      } catch (err) {
        // Not past this row: the next sweep asks about it again.
        errors.push(runFailure(row.id, err));
        return { ended, errors, checkedTo };
      }
      checkedTo = { startedAt: row.startedAt, id: row.id };
    }
    page = page.length < pageSize ? [] : await openTopLevelRunsStartedBetween(deps.db, checkedTo, window.until, pageSize);
  }
  return { ended, errors, checkedTo };
}

/**
 * Ends the rows of child runs that never started. A parent writes its child's row as it prepares the child
 * (`prepareChildRun`), then starts it; a parent that ends in between (a cancel in that same workflow task) leaves
 * a row Temporal has no execution for, which the sweep of closed executions never lists, and which would say
 * `running` for good. Once the parent's close is recorded, such a row is ended as cancelled (`NeverStarted`).
 */
async function endChildRunsNeverStarted(deps: RunIndexRepairDeps): Promise<{ ended: string[]; errors: Error[] }> {
  const ended: string[] = [];
  const errors: Error[] = [];
  for (const row of await openChildRunsOfClosedParents(deps.db, pageSize)) {
    try {
      // A child Temporal has, open or closed, is the other sweep's: its close is listed once it closes.
      if (await knownToTemporal(deps, row.id)) continue;
      await endNeverStarted(deps, row);
      ended.push(row.id);
    } catch (err) {
      errors.push(runFailure(row.id, err));
    }
  }
  return { ended, errors };
}

/** Rewrites one open row from its closed execution; false when a newer execution of the run owns the row. */
async function repairRun(deps: RunIndexRepairDeps, execution: WorkflowExecutionInfo, row: RunRow): Promise<boolean> {
  const { client } = deps;
  // A reset closes an execution as terminated and goes on in a new one: that one is the run now.
  const latest = await client.workflow.getHandle(execution.workflowId).describe();
  if (latest.runId !== execution.runId) return false;
  const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
  // A query of a closed run replays its history on a worker; the output comes whole, as the index keeps it.
  const queried = await Promise.all([handle.query(stateQuery, { wholeOutput: true }), everyEvent((after) => heldEventPage(handle, after))]).catch((err: unknown) => {
    // Closed before any of its code ran: there is no state to ask for, only the template it was started with.
    if (notRunYet(err)) return undefined;
    throw err;
  });
  let summary = queried ? { state: queried[0], events: queried[1] } : { state: await startingState(deps.db, row), events: [] };
  if (!terminalRunStatuses.includes(summary.state.status)) summary = endClosedRun(summary.state, summary.events, await closeOf(client, execution));
  await recordRunSummary(deps.db, {
    runId: row.id, templateId: summary.state.templateId, templateVersion: summary.state.templateVersion, trigger: row.trigger, input: row.input, ...summary,
  });
  return true;
}

/** Run ids for a log line: the first 20. */
function list(runIds: string[]): string {
  return `${runIds.slice(0, 20).join(', ')}${runIds.length > 20 ? ', …' : ''}`;
}

/** How often the repair sweeps, and how far back past the previous sweep it looks. */
export interface RunIndexRepairOptions {
  /** Between sweeps; 30 s unless given. */
  intervalMs?: number;
  /** Visibility lags behind the close of a run: each sweep looks back this much before the previous one began. */
  marginMs?: number;
  /** The longest a run the repair could not rewrite waits before it is tried again; 1 h unless given. */
  maxRetryDelayMs?: number;
}

/** A running repair loop. */
export interface RunIndexRepair {
  /** Stops sweeping: aborts the Temporal calls of a sweep in progress and waits for it to end. */
  stop(): Promise<void>;
}

/**
 * Sweeps the index like {@link repairRunIndex} at once, then every `intervalMs`. The first sweep looks back to
 * the start of the oldest open row (a run cannot have closed before it started), each later one to the start of
 * the last sweep that listed every closed run, less a margin, so runs that closed while the database was down
 * are still found. A run the sweep cannot rewrite (its history no longer replays, say) does not hold that window
 * back: it is tried again on its own, each time twice as late, up to `maxRetryDelayMs`. Errors are logged; they
 * never reach the process.
 */
export function startRunIndexRepair(deps: RunIndexRepairDeps, options: RunIndexRepairOptions = {}): RunIndexRepair {
  const intervalMs = options.intervalMs ?? 30_000;
  const marginMs = options.marginMs ?? 120_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 3_600_000;
  let since: Date | undefined;
  /** How far the check for runs that never started has got ({@link endRunsNeverStarted}). */
  let startsCheckedTo: StartCursor | undefined;
  /** Runs a sweep could not rewrite, by run id, and when each is next tried. */
  const retrying = new Map<string, { execution: WorkflowExecutionInfo; attempts: number; dueAt: number }>();
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const stopping = new AbortController();
  // Every Temporal call of a sweep listens to it, and a sweep rewriting many runs makes many at once.
  setMaxListeners(0, stopping.signal);

  const sweep = async () => {
    const startedAt = new Date();
    try {
      const from = since ?? (await oldestOpenRunStart(deps.db)) ?? startedAt;
      const due = [...retrying.values()].filter((r) => r.dueAt <= startedAt.getTime()).map((r) => r.execution);
      const starts = { after: startsCheckedTo, until: new Date(startedAt.getTime() - startGraceMs) };
      const { repaired, failed, orphans, ...done } = await deps.client.withAbortSignal(stopping.signal, () => sweepClosedRuns(deps, from, starts, due, new Set(retrying.keys())));
      // Calls cut short by stop() fail; those runs were not tried, and the next process sweeps them again.
      if (stopping.signal.aborted) return;
      since = new Date(startedAt.getTime() - marginMs);
      startsCheckedTo = done.startsCheckedTo;
      // A retried run that did not fail again is done with: rewritten, or its row is no longer open.
      for (const execution of due) if (!failed.has(execution.workflowId)) retrying.delete(execution.workflowId);
      for (const [runId, { execution }] of failed) {
        const attempts = (retrying.get(runId)?.attempts ?? 0) + 1;
        retrying.set(runId, { execution, attempts, dueAt: Date.now() + Math.min(intervalMs * 2 ** attempts, maxRetryDelayMs) });
      }
      if (repaired.length > 0) console.warn(`[weft] run index repair: rewrote ${repaired.length} stale run(s): ${list(repaired)}`);
      if (orphans.length > 0) console.warn(`[weft] run index repair: could not end ${orphans.length} run(s) that never started; the next sweep tries again`, new AggregateError(orphans));
      if (failed.size > 0) {
        const errors = [...failed.values()].map((f) => f.error);
        console.warn(`[weft] run index repair: could not rewrite ${failed.size} run(s), each tried again later: ${list([...failed.keys()])}`, new AggregateError(errors));
      }
    } catch (err) {
      if (stopping.signal.aborted) return;
      console.warn('[weft] run index repair: sweep failed; the next sweep tries again:', err);
    }
  };
  const loop = () => {
    sweeping = sweep().finally(() => {
      sweeping = undefined;
      // The repair is background work: it never keeps a process alive on its own.
      if (!stopping.signal.aborted) timer = setTimeout(loop, intervalMs).unref();
    });
  };
  loop();

  return {
    async stop() {
      // A sweep in progress may wait on queries that only a worker answers, and a stopping process's worker is
      // draining: its Temporal calls are aborted, then the sweep is awaited, so no index write outlives stop().
      stopping.abort();
      clearTimeout(timer);
      await sweeping;
    },
  };
}
