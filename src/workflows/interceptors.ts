import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { flushLiveEvents } from './live-events.js';

/**
 * The interpreter's workflow interceptors: at the end of every activation, the events it emitted leave on the
 * live path in one sink call (the close's have left with the run index's already). Every bundle of Weft's
 * workflows must include this module (see `workflowBundleOptions` in `src/temporal/worker.ts`); without it, live
 * events would never leave the worker.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  internals: [
    {
      concludeActivation(input, next) {
        flushLiveEvents();
        return next(input);
      },
    },
  ],
});
