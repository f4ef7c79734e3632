import type { Db } from '../db/client.js';
import { appendEvents, recordRunSummary, setOpenRunStatus, type RunSummary } from '../db/runs.js';
import type { RunEvent, RunStatus } from '../workflows/state.js';

/** Creates the activity that writes a closing run's summary and events to the run index. */
export function createRecordRunActivity(db: Db) {
  return async function recordRun(summary: RunSummary): Promise<void> {
    await recordRunSummary(db, summary);
  };
}

/**
 * Creates the writer of an open run's status in the run index, which the worker's live-event sink calls as a
 * run pauses, waits for an operator or resumes. Registered like the other writers, though no workflow calls it.
 */
export function createRecordRunStatusActivity(db: Db) {
  return async function recordRunStatus({ runId, status }: { runId: string; status: RunStatus }): Promise<void> {
    await setOpenRunStatus(db, runId, status);
  };
}

/** Creates the activity that stores a run's events before it continues as new. */
export function createAppendRunEventsActivity(db: Db) {
  return async function appendRunEvents({ runId, events }: { runId: string; events: RunEvent[] }): Promise<void> {
    await appendEvents(db, runId, events);
  };
}
