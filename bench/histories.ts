import type { Client } from '@temporalio/client';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** Fetches each run's history, a few at a time so that the dev server is not flooded. */
export async function fetchHistories(client: Client, ids: string[], concurrency = 8): Promise<History[]> {
  const histories: History[] = new Array<History>(ids.length);
  let next = 0;
  const fetchNext = async (): Promise<void> => {
    for (let i = next++; i < ids.length; i = next++) histories[i] = await client.workflow.getHandle(ids[i] as string).fetchHistory();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, fetchNext));
  return histories;
}

/** How many events a history holds. */
export function eventCount(history: History): number {
  return history.events?.length ?? 0;
}

const decoder = new TextDecoder();

function decode(data: Uint8Array | null | undefined): unknown {
  return data ? (JSON.parse(decoder.decode(data)) as unknown) : undefined;
}

/** JSON with object keys sorted, so that two values compare equal whatever order their keys were built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * The activities a run scheduled, in order, as comparable text: type, timeouts, retry policy, summary and the
 * input, less the run id and the interpreter's event seq (hand-written code has no event log to number). Two
 * runs that call the same activities with the same options give the same list.
 */
export function scheduledActivities(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const input = decode(scheduled.input?.payloads?.[0]?.data) as Record<string, unknown> | undefined;
    return [canonical({
      type: scheduled.activityType?.name,
      scheduleToClose: scheduled.scheduleToCloseTimeout,
      startToClose: scheduled.startToCloseTimeout,
      heartbeat: scheduled.heartbeatTimeout,
      retry: scheduled.retryPolicy,
      summary: decode(event.userMetadata?.summary?.data),
      input: input && { ...input, runId: undefined, seq: undefined },
    })];
  });
}

/**
 * Where one run's wall time went, in ms, read from its history's event times: the worker's workflow tasks
 * (started to completed: the workflow code, sinks and, for the interpreter, the run index's closing write), the
 * last of them alone (the task that closes the run), the rest of the history's span (activities, task queues
 * and the server), and the time outside the history (the start request before the first event, the result
 * after the last). Workflow tasks of one run never overlap, so their sum is time on the run's path whatever
 * its shape.
 */
export interface Phases {
  workflowTasks: number;
  closingTask: number;
  restOfHistory: number;
  outsideHistory: number;
}

/** A history event's time in ms since the epoch. */
function eventMs(event: NonNullable<History['events']>[number]): number {
  const time = event.eventTime;
  return time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : Number.NaN;
}

/** {@link Phases} of one run from its history and the wall time the bench measured for it. */
export function phasesOf(history: History, wallMs: number): Phases {
  const events = history.events ?? [];
  let workflowTasks = 0;
  let closingTask = 0;
  let startedAt: number | undefined;
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) startedAt = eventMs(event);
    else if (event.workflowTaskCompletedEventAttributes && startedAt !== undefined) {
      closingTask = eventMs(event) - startedAt;
      workflowTasks += closingTask;
      startedAt = undefined;
    }
  }
  const span = events.length > 0 ? eventMs(events[events.length - 1]!) - eventMs(events[0]!) : 0;
  return { workflowTasks, closingTask, restOfHistory: span - workflowTasks, outsideHistory: wallMs - span };
}
