import type { InjectedSinkFunction } from '@temporalio/worker';
import { retriedWrite } from '../db/retried-write.js';
import { runStatusAfterEvent } from '../workflows/run-status-events.js';
import type { WeftSinks } from '../workflows/sinks.js';
import { terminalRunStatuses, type RunEvent, type RunStatus } from '../workflows/state.js';

/** How the sink tries a status write again: a short while, as it holds the run's workflow task. */
const retryDelaysMs = [100, 500];

/**
 * The status a batch of a run's events leaves the run in, when the index should hear of it: the last run-level
 * event's, unless that starts the run (its row starts as `running`) or ends it (the close is written whole).
 */
export function openStatusAfter(events: readonly RunEvent[]): RunStatus | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.nodeId !== undefined || event.sub !== undefined) continue;
    const status = runStatusAfterEvent(event.type, event.data);
    if (status === undefined) continue;
    return event.type === 'run.started' || terminalRunStatuses.includes(status) ? undefined : status;
  }
  return undefined;
}

/**
 * The `events` sink: hands each activation's events to the live path and, when they pause the run, hold it for
 * an operator or resume it, writes its status to the run index, so that listing runs by status finds open runs
 * as they are. Only those few activations wait for the write; it is awaited so that two changes in a row land in
 * order. A write that still fails is logged: the row is right again at the next change and at the close.
 */
export function liveEventsSink(
  publish: (runId: string, event: RunEvent) => void,
  recordStatus: (change: { runId: string; status: RunStatus }) => Promise<void>,
): InjectedSinkFunction<WeftSinks['events']['publish']> {
  return {
    fn(_info, runId, events) {
      for (const event of events) publish(runId, event);
      const status = openStatusAfter(events);
      if (status === undefined) return;
      return retriedWrite(() => recordStatus({ runId, status }), retryDelaysMs, (err) => {
        console.error(`[weft] run index: could not record that run ${runId} is ${status}:`, err);
      });
    },
    // A replayed change was recorded when it happened, and its events were published then.
    callDuringReplay: false,
  };
}
