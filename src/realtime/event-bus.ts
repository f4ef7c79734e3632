import type { RunEvent } from '../workflows/state.js';

/** Called with each live event of a run. */
export type RunEventListener = (runId: string, event: RunEvent) => void;

/**
 * Carries live run events from the worker's sink to subscribers in the same process. Delivery is best effort;
 * subscribers repair gaps from the run's `events` query, which is the source of truth.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<RunEventListener>>();
  private readonly everything = new Set<RunEventListener>();

  /** Delivers an event to the run's subscribers; a throwing listener never affects the others. */
  publish(runId: string, event: RunEvent): void {
    for (const listener of [...(this.listeners.get(runId) ?? []), ...this.everything]) {
      try {
        listener(runId, event);
      } catch {
        // A subscriber's failure is its own; the bus keeps delivering.
      }
    }
  }

  /** Subscribes to one run (or, with `'*'`, to every run); returns the unsubscribe function. */
  subscribe(runId: string, listener: RunEventListener): () => void {
    if (runId === '*') {
      this.everything.add(listener);
      return () => this.everything.delete(listener);
    }
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }
}
