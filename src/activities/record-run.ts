import type { Db } from '../db/client.js';
import { appendEvents, recordRunSummary, type RunSummary } from '../db/runs.js';
import type { RunEvent } from '../workflows/state.js';

/** Creates the activity that writes a closing run's summary and events to the run index. */
export function createRecordRunActivity(db: Db) {
  return async function recordRun(summary: RunSummary): Promise<void> {
    await recordRunSummary(db, summary, { replace: true });
  };
}

/** Creates the activity that stores a run's events before it continues as new. */
export function createAppendRunEventsActivity(db: Db) {
  return async function appendRunEvents({ runId, events }: { runId: string; events: RunEvent[] }): Promise<void> {
    await appendEvents(db, runId, events);
  };
}
