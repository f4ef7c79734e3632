import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
// A CommonJS module: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import type { Db } from '../db/client.js';
import { getOpenRuns, oldestOpenRunStart, recordRunSummary } from '../db/runs.js';
import type { RunRow } from '../db/schema.js';
import { eventsQuery, interpreterWorkflowType, stateQuery } from '../workflows/definitions.js';
import { terminalRunStatuses } from '../workflows/state.js';
import { endClosedRun, type TemporalClose } from './closed-by-temporal.js';
import { everyEvent } from './read-run.js';

/** What the repair needs: the run index and a client of the namespace runs live in. */
export interface RunIndexRepairDeps {
  db: Db;
  client: Client;
}

/** Closed executions looked up in the index per query: one visibility page, one SQL query. */
const pageSize = 500;

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
  if (!options.signal) return sweepClosedRuns(deps, options.since);
  // Every Temporal call of the sweep (listing, describe, queries) is cut short when the signal fires.
  return deps.client.withAbortSignal(options.signal, () => sweepClosedRuns(deps, options.since));
}

async function sweepClosedRuns(deps: RunIndexRepairDeps, since: Date): Promise<{ checked: number; repaired: string[] }> {
  // `ContinuedAsNew` closes an execution, not the run: the run goes on in the next execution of the same id.
  const query = `WorkflowType = '${interpreterWorkflowType}' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'`
    + ` AND CloseTime >= '${since.toISOString()}'`;
  let checked = 0;
  const repaired: string[] = [];
  const failures: unknown[] = [];
  let page: WorkflowExecutionInfo[] = [];
  const repairPage = async () => {
    const open = new Map((await getOpenRuns(deps.db, page.map((e) => e.workflowId))).map((row) => [row.id, row]));
    for (const execution of page) {
      const row = open.get(execution.workflowId);
      if (!row) continue;
      try {
        if (await repairRun(deps, execution, row)) repaired.push(row.id);
      } catch (err) {
        failures.push(new Error(`run ${row.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    page = [];
  };
  for await (const execution of deps.client.workflow.list({ query, pageSize })) {
    checked++;
    page.push(execution);
    if (page.length === pageSize) await repairPage();
  }
  await repairPage();
  if (failures.length > 0) throw new AggregateError(failures, `could not repair ${failures.length} run(s) of the index (${repaired.length} repaired)`);
  return { checked, repaired };
}

/** Rewrites one open row from its closed execution; false when a newer execution of the run owns the row. */
async function repairRun(deps: RunIndexRepairDeps, execution: WorkflowExecutionInfo, row: RunRow): Promise<boolean> {
  const { client } = deps;
  // A reset closes an execution as terminated and goes on in a new one: that one is the run now.
  const latest = await client.workflow.getHandle(execution.workflowId).describe();
  if (latest.runId !== execution.runId) return false;
  const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
  // A query of a closed run replays its history on a worker; the output comes whole, as the index keeps it.
  const [last, events] = await Promise.all([handle.query(stateQuery, { wholeOutput: true }), everyEvent((after) => handle.query(eventsQuery, after))]);
  let summary = { state: last, events };
  if (!terminalRunStatuses.includes(last.status)) summary = endClosedRun(last, events, await closeOf(client, execution));
  await recordRunSummary(deps.db, {
    runId: row.id, templateId: summary.state.templateId, templateVersion: summary.state.templateVersion, trigger: row.trigger, input: row.input, ...summary,
  });
  return true;
}

/** How Temporal closed an execution, with the terminate reason or failure message from its close event. */
async function closeOf(client: Client, execution: WorkflowExecutionInfo): Promise<TemporalClose> {
  const status = execution.status.name;
  if (status !== 'TERMINATED' && status !== 'TIMED_OUT' && status !== 'CANCELLED' && status !== 'FAILED') {
    throw new Error(`the workflow closed as ${status} but its state says the run is still going on`);
  }
  const closedAt = execution.closeTime ?? new Date();
  if (status !== 'TERMINATED' && status !== 'FAILED') return { status, closedAt };
  // Only the close event: a run's history can be long.
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: execution.workflowId, runId: execution.runId },
    historyEventFilterType: proto.temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const event = history?.events?.at(-1);
  const reason = event?.workflowExecutionTerminatedEventAttributes?.reason ?? event?.workflowExecutionFailedEventAttributes?.failure?.message;
  return { status, closedAt, ...(reason ? { reason } : {}) };
}

/** How often the repair sweeps, and how far back past the previous sweep it looks. */
export interface RunIndexRepairOptions {
  /** Between sweeps; 30 s unless given. */
  intervalMs?: number;
  /** Visibility lags behind the close of a run: each sweep looks back this much before the previous one began. */
  marginMs?: number;
}

/** A running repair loop. */
export interface RunIndexRepair {
  /** Stops sweeping: aborts the Temporal calls of a sweep in progress and waits for it to end. */
  stop(): Promise<void>;
}

/**
 * Sweeps the index with {@link repairRunIndex} at once, then every `intervalMs`. The first sweep looks back to
 * the start of the oldest open row (a run cannot have closed before it started), each later one to the start of
 * the last sweep that succeeded, less a margin, so runs that closed while the database was down are still found.
 * Errors are logged and the next sweep tries again; they never reach the process.
 */
export function startRunIndexRepair(deps: RunIndexRepairDeps, options: RunIndexRepairOptions = {}): RunIndexRepair {
  const intervalMs = options.intervalMs ?? 30_000;
  const marginMs = options.marginMs ?? 120_000;
  let since: Date | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const stopping = new AbortController();

  const sweep = async () => {
    const startedAt = new Date();
    try {
      since ??= (await oldestOpenRunStart(deps.db)) ?? startedAt;
      const { repaired } = await repairRunIndex(deps, { since, signal: stopping.signal });
      if (repaired.length > 0) console.warn(`[weft] run index repair: rewrote ${repaired.length} stale run(s): ${repaired.slice(0, 20).join(', ')}${repaired.length > 20 ? ', …' : ''}`);
      since = new Date(startedAt.getTime() - marginMs);
    } catch (err) {
      // A sweep cut short by stop() is not a failure: the next process sweeps from the oldest open row again.
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
