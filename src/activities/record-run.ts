import type { Db } from '../db/client.js';
import { recordRunSummary, type RunSummary } from '../db/runs.js';

/** Creates the activity that writes a closing run's summary and events to the run index. */
export function createRecordRunActivity(db: Db) {
  return async function recordRun(summary: RunSummary): Promise<void> {
    await recordRunSummary(db, summary);
  };
}
