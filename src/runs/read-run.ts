import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { eventPageSize, getRun, getRunEvents } from '../db/runs.js';
import { notFound } from '../errors.js';
import { eventsQuery, stateQuery } from '../workflows/definitions.js';
import { terminalRunStatuses, type RunEvent, type RunState } from '../workflows/state.js';
import { notRunYet, unstartedRun } from './unstarted-run.js';

/** What reading runs needs. */
export interface RunReaderDeps {
  db: Db;
  client: Client;
}

function isClosed(row: { status: string; state: unknown }): boolean {
  return row.state !== null && terminalRunStatuses.includes(row.status as RunState['status']);
}

/**
 * A run's state: from the workflow's `state` query while it is open, from the run index once it has closed
 * (so closed runs stay readable after Temporal's retention drops them). A run none of whose workflow tasks has
 * completed answers as it was started, or as Temporal closed it until the index repair records that.
 */
export async function readRunState(deps: RunReaderDeps, runId: string): Promise<RunState> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (isClosed(row)) return row.state as RunState;
  try {
    return await deps.client.workflow.getHandle(runId).query(stateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`run "${runId}"`);
    if (notRunYet(err)) return (await unstartedRun(deps, row)).state;
    throw err;
  }
}

/**
 * A page of a run's events after `afterSeq`, in seq order and without a gap: from the workflow while open and
 * from the index once closed. A page ends before the run's last event when the index holds more than
 * `pageSize` of the events asked for; read on after its last seq.
 */
export async function readRunEvents(deps: RunReaderDeps, runId: string, afterSeq: number, pageSize = eventPageSize): Promise<RunEvent[]> {
  return (await readRunEventPage(deps, runId, afterSeq, pageSize)).events;
}

/** Every event of a run after `afterSeq`, as {@link readRunEvents} pages them, read until the last page. */
export async function readAllRunEvents(deps: RunReaderDeps, runId: string, afterSeq = 0, pageSize = eventPageSize): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (let after = afterSeq; ; after = events.at(-1)?.seq ?? after) {
    const page = await readRunEventPage(deps, runId, after, pageSize);
    events.push(...page.events);
    if (page.last || page.events.length === 0) return events;
  }
}

/**
 * A page of events, and whether it is the last one so far: it is when it ends with what the workflow holds
 * (everything up to its latest event), or when the index had less than a page to give.
 */
async function readRunEventPage(deps: RunReaderDeps, runId: string, afterSeq: number, pageSize: number): Promise<{ events: RunEvent[]; last: boolean }> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (isClosed(row)) {
    const events = await getRunEvents(deps.db, runId, afterSeq, pageSize);
    return { events, last: events.length < pageSize };
  }
  let held: RunEvent[];
  try {
    held = await deps.client.workflow.getHandle(runId).query(eventsQuery, afterSeq);
  } catch (err) {
    if (notRunYet(err)) return { events: (await unstartedRun(deps, row)).events.filter((e) => e.seq > afterSeq), last: true };
    throw err;
  }
  // After a continue-as-new the workflow holds only the newer events; older ones were flushed to the index.
  if (held[0]?.seq === afterSeq + 1) return { events: held, last: true };
  const index = await getRunEvents(deps.db, runId, afterSeq, pageSize);
  if (held.length === 0) return { events: index, last: index.length < pageSize };
  const older = index.filter((e) => e.seq < held[0]!.seq);
  // A full page of the index may stop short of what the workflow holds: the next read goes on from there.
  const lastOlder = older.at(-1)?.seq;
  if (lastOlder !== undefined && lastOlder + 1 < held[0]!.seq) return { events: older, last: false };
  return { events: [...older, ...held], last: true };
}

/**
 * Every event after `afterSeq`, read page by page from `readPage` (the events route, the events query) until a
 * page comes back empty.
 */
export async function everyEvent(readPage: (afterSeq: number) => Promise<RunEvent[]>, afterSeq = 0): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (let page = await readPage(afterSeq); page.length > 0; page = await readPage(events.at(-1)!.seq)) events.push(...page);
  return events;
}

/**
 * Waits up to `waitMs` for a run to close (Temporal long-polls for the result), then answers with its state,
 * closed or not.
 */
export async function awaitRunState(deps: RunReaderDeps, runId: string, waitMs: number): Promise<RunState> {
  const first = await readRunState(deps, runId);
  if (terminalRunStatuses.includes(first.status) || waitMs <= 0) return first;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  try {
    // Settles when the run closes (success or failure) or when the wait is over.
    await deps.client.withAbortSignal(controller.signal, () => deps.client.workflow.getHandle(runId).result()).catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
  return readRunState(deps, runId);
}
