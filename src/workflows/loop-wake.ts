import { CancellationScope, CancelledFailure } from '@temporalio/workflow';
import { change } from './revision.js';

/**
 * Since this change the interpreter's main loop sleeps until the run book marks a change ({@link LoopWake}),
 * rather than in a `condition` the SDK evaluates after every job. A `condition` costs three promises each time
 * the loop sleeps and one more call into the sandbox each time it wakes: about a tenth of a short run's
 * workflow-task time. The loop now also runs within the job that woke it, not after it, which can order the
 * commands of one activation differently, so runs started before this change keep the `condition`.
 */
export const touchWakeChange = change('weft-touch-wake', 18);

/**
 * What the main loop sleeps on: {@link next} resolves at the next {@link notify} (`RunBook.touch`), and rejects
 * as a `condition` would when the workflow is cancelled from outside.
 */
export class LoopWake {
  private waiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** The workflow's cancellation, once it has been asked for. */
  private cancelled: Error | undefined;
  private listening = false;

  /** Resolves at the next {@link notify}; rejects if the workflow is, or gets, cancelled from outside. */
  next(): Promise<void> {
    this.listen();
    return new Promise((resolve, reject) => {
      if (this.cancelled) reject(this.cancelled);
      else this.waiter = { resolve, reject };
    });
  }

  /** Wakes the loop if it sleeps. */
  notify(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  // One listener for the run, in the scope the loop runs in (the workflow's root scope).
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    CancellationScope.current().cancelRequested.catch((error: unknown) => {
      // The SDK rejects with a CancelledFailure, which the loop takes for a cancellation from outside.
      this.cancelled = error instanceof Error ? error : new CancelledFailure(String(error));
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.reject(this.cancelled);
    });
  }
}
