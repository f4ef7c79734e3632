import type { InjectedSinkFunction } from '@temporalio/worker';
import { retriedWrite } from '../db/retried-write.js';
import type { RunSummary } from '../db/runs.js';
import type { WeftSinks } from '../workflows/sinks.js';
import type { RunEvent } from '../workflows/state.js';

/** How the sink tries a write again: a few quick attempts, well inside the workflow task's 10 s timeout. */
const retryDelaysMs = [100, 500, 1_500];

/**
 * The `runIndex` sink: writes a closing run's summary before the worker completes the workflow task that
 * closes the run, then publishes the closing events on the live path (`publish`), so that whoever hears the run
 * end can read it from the index. A write that still fails after a few attempts (the database is down) is logged
 * and left to the index repair, which finds the closed run in Temporal and writes it then; the events leave all
 * the same.
 */
export function runIndexSink(
  record: (summary: RunSummary) => Promise<void>,
  publish: (runId: string, event: RunEvent) => void,
): InjectedSinkFunction<WeftSinks['runIndex']['record']> {
  return {
    async fn(_info, summary, live) {
      await retriedWrite(() => record(summary), retryDelaysMs, (err) => {
        console.error(`[weft] run index: could not record the close of run ${summary.runId}; the index repair will:`, err);
      });
      for (const event of live) publish(summary.runId, event);
    },
    // A replayed close was recorded when it happened.
    callDuringReplay: false,
  };
}
