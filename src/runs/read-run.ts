import { QueryNotRegisteredError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { RunRow } from '../db/schema.js';
import { eventPageSize, getRun, getRunEvents } from '../db/runs.js';
import { notFound, WeftError } from '../errors.js';
import { eventPageQuery, eventsQuery, stateQuery } from '../workflows/definitions.js';
import { pageFrom } from '../workflows/event-page.js';
import { terminalRunStatuses, type EventPage, type RunEvent, type RunState } from '../workflows/state.js';
import { closedFromOutside, closeOf, endClosedRun, type ClosedExecution } from './closed-by-temporal.js';
import { noWorkerAnswered, notRunYet, unstartedRun } from './unstarted-run.js';

/** What reading runs needs. */
export interface RunReaderDeps {
  db: Db;
  client: Client;
}

/**
 * How long a read waits for a worker to answer a run's query. A worker that is up answers in milliseconds, but
 * one that takes over from a worker that died gets the query only once Temporal gives up on the dead one's
 * sticky queue: as long as Temporal's own wait for a poller (about 30 s), so the read waits no less.
 */
const queryDeadlineMs = 35_000;

/**
 * Asks a run's workflow through `ask` (its queries), waiting at most {@link queryDeadlineMs} for a worker. An
 * open run's state lives in its workflow: with no worker to answer, it is a 503 saying so, not a guess.
 */
export async function askWorkflow<T>(deps: RunReaderDeps, runId: string, ask: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + queryDeadlineMs;
  try {
    return await deps.client.withDeadline(deadline, ask);
  } catch (err) {
    // The client cancels a call past its deadline (gRPC CANCELLED), which says nothing more of why.
    if (noWorkerAnswered(err) || Date.now() >= deadline) {
      throw new WeftError('unavailable', `no worker answered for run "${runId}": an open run's state is kept by its workflow, which only a worker reads; try again once a worker is up`);
    }
    throw err;
  }
}

function isClosed(row: { status: string; state: unknown }): boolean {
  return row.state !== null && terminalRunStatuses.includes(row.status as RunState['status']);
}

/**
 * A run's state: from the workflow's `state` query while it is open, from the run index once it has closed
 * (so closed runs stay readable after Temporal's retention drops them). A run Temporal closed from outside, or
 * none of whose workflow tasks has completed, answers as Temporal closed it until the index repair records that.
 */
export async function readRunState(deps: RunReaderDeps, runId: string): Promise<RunState> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (isClosed(row)) return row.state as RunState;
  const handle = deps.client.workflow.getHandle(runId);
  // Asked together: the execution's status tells a run Temporal closed from outside (a terminate, a timeout),
  // whose last state still says it goes on, from one that does.
  const [queried, described] = await Promise.allSettled([askWorkflow(deps, runId, () => handle.query(stateQuery)), handle.describe()]);
  if (queried.status === 'rejected') {
    const err: unknown = queried.reason;
    if (err instanceof WorkflowNotFoundError) throw notFound(`run "${runId}"`);
    if (notRunYet(err)) return (await unstartedRun(deps, row)).state;
    throw err;
  }
  const ended = described.status === 'fulfilled' ? await endedFromOutside(deps.client, queried.value, described.value) : undefined;
  return ended?.state ?? queried.value;
}

/**
 * A run Temporal closed from outside (a terminate, a timeout) while its last state says it goes on, as the
 * index repair will write it until the repair does; undefined for any other run.
 */
async function endedFromOutside(client: Client, state: RunState, execution: ClosedExecution): Promise<{ state: RunState; events: RunEvent[] } | undefined> {
  if (terminalRunStatuses.includes(state.status) || !closedFromOutside(execution)) return undefined;
  return endClosedRun(state, [], await closeOf(client, execution));
}

/**
 * A page of a run's events after `afterSeq`, in seq order and without a gap: from the workflow while open and
 * from the index once closed. `more` says the page ends before the run's newest event (a page holds at most
 * `pageSize` events from the index, and under 512 KB from the workflow): read on after its last seq.
 */
export async function readRunEvents(deps: RunReaderDeps, runId: string, afterSeq: number, pageSize = eventPageSize): Promise<EventPage> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (isClosed(row)) return indexPage(deps, runId, afterSeq, pageSize);
  const handle = deps.client.workflow.getHandle(runId);
  const [page, described] = await Promise.all([
    openRunEvents(deps, row, handle, afterSeq, pageSize),
    handle.describe().catch(() => undefined),
  ]);
  if (page.more || !described || !closedFromOutside(described)) return page;
  // Closed from outside: the events that end it follow, as the index repair will write them (see readRunState).
  // A run none of whose workflow tasks completed has its ending events in the page already.
  const state = await askWorkflow(deps, runId, () => handle.query(stateQuery)).catch((err: unknown) => {
    if (notRunYet(err)) return undefined;
    throw err;
  });
  const ended = state && (await endedFromOutside(deps.client, state, described));
  if (!ended) return page;
  const last = page.items.at(-1)?.seq ?? afterSeq;
  return { items: [...page.items, ...ended.events.filter((e) => e.seq > last)], more: false };
}

/** {@link readRunEvents} of a run the index holds as open: the workflow's events, older ones from the index. */
async function openRunEvents(deps: RunReaderDeps, row: RunRow, handle: WorkflowHandle, afterSeq: number, pageSize: number): Promise<EventPage> {
  let held: EventPage;
  try {
    held = await askWorkflow(deps, row.id, () => heldEventPage(handle, afterSeq));
  } catch (err) {
    if (notRunYet(err)) return { items: (await unstartedRun(deps, row)).events.filter((e) => e.seq > afterSeq), more: false };
    throw err;
  }
  const first = held.items[0];
  // After a continue-as-new the workflow holds only the newer events; older ones were flushed to the index.
  if (first?.seq === afterSeq + 1) return held;
  const index = await indexPage(deps, row.id, afterSeq, pageSize);
  if (!first) return index;
  const older = index.items.filter((e) => e.seq < first.seq);
  // A full page of the index may stop short of what the workflow holds: the next read goes on from there.
  const lastOlder = older.at(-1)?.seq;
  if (lastOlder !== undefined && lastOlder + 1 < first.seq) return { items: older, more: true };
  return { items: [...older, ...held.items], more: held.more };
}

/** Every event of a run after `afterSeq`, as {@link readRunEvents} pages them. */
export function readAllRunEvents(deps: RunReaderDeps, runId: string, afterSeq = 0, pageSize = eventPageSize): Promise<RunEvent[]> {
  return everyEvent((after) => readRunEvents(deps, runId, after, pageSize), afterSeq);
}

/**
 * Up to `pageSize` events from the index, and no more than a page of the events query carries (they hold whole
 * outputs); one more is asked for, to know whether there are more.
 */
async function indexPage(deps: RunReaderDeps, runId: string, afterSeq: number, pageSize: number): Promise<EventPage> {
  const items = await getRunEvents(deps.db, runId, afterSeq, pageSize + 1);
  const page = pageFrom(items.slice(0, pageSize), 0);
  return { items: page.items, more: page.more || items.length > pageSize };
}

/**
 * The events a run's workflow holds after `afterSeq`, asked of the execution `handle` points at. A worker whose
 * workflow code predates the page query answers the plain events query, which does not say whether it left
 * events out: then it counts as more.
 */
export async function heldEventPage(handle: WorkflowHandle, afterSeq: number): Promise<EventPage> {
  try {
    return await handle.query(eventPageQuery, afterSeq);
  } catch (err) {
    if (!(err instanceof QueryNotRegisteredError)) throw err;
    const items = await handle.query(eventsQuery, afterSeq);
    return { items, more: items.length > 0 };
  }
}

/** Every event after `afterSeq`, read page by page from `readPage` while a page says there are more. */
export async function everyEvent(readPage: (afterSeq: number) => Promise<EventPage>, afterSeq = 0): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (let after = afterSeq; ; after = events.at(-1)?.seq ?? after) {
    const page = await readPage(after);
    events.push(...page.items);
    if (!page.more || page.items.length === 0) return events;
  }
}

/**
 * Waits up to `waitMs` for a run to close (Temporal long-polls for the result), then answers with its state,
 * closed or not.
 */
export async function awaitRunState(deps: RunReaderDeps, runId: string, waitMs: number): Promise<RunState> {
  const began = Date.now();
  // With no worker up the state cannot be read yet; one that comes back within the wait answers it.
  const first = await readRunState(deps, runId).catch((err: unknown) => {
    if (waitMs > 0 && err instanceof WeftError && err.type === 'unavailable') return undefined;
    throw err;
  });
  if (first && (terminalRunStatuses.includes(first.status) || waitMs <= 0)) return first;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, waitMs - (Date.now() - began)));
  try {
    // Settles when the run closes (success or failure) or when the wait is over.
    await deps.client.withAbortSignal(controller.signal, () => deps.client.workflow.getHandle(runId).result()).catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
  return readRunState(deps, runId);
}
