import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { RunSummary } from '../db/runs.js';
import type { RunEvent } from './state.js';

/**
 * What leaves the worker without adding history events. Sinks are not called during replay, so a replayed
 * event is never published twice and a replayed close is not recorded again.
 */
export interface WeftSinks extends Sinks {
  /**
   * The live path: the events of each activation, in seq order, as it ends (`live-events.ts`), but for the
   * closing activation's, which leave with {@link runIndex}; a subscriber that missed one catches up through
   * `eventsQuery`. Events that pause, hold or resume the run also set its status in the run index, so that runs
   * listed by status are found as they are.
   */
  events: {
    publish(runId: string, events: RunEvent[]): void;
  };
  /**
   * The run index, written as the run closes. The worker awaits a sink's call before it completes the workflow
   * task, so the closing summary is in the index before Temporal closes the run; a write that fails is left to
   * the index repair (`src/runs/repair-index.ts`), which rebuilds it from the closed workflow.
   *
   * `live` are the closing activation's events (the run's final event among them), which leave on the live path
   * once the write is done: a subscriber told that the run ended finds it in the index. They travel in this call
   * rather than one of their own, as the worker copies every sink call out of the sandbox with the whole workflow
   * info.
   */
  runIndex: {
    record(summary: RunSummary, live: RunEvent[]): void;
  };
}

/** The workflow's handle on {@link WeftSinks}. */
export const sinks = proxySinks<WeftSinks>();
