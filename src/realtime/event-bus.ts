import type { RunEvent } from '../workflows/state.js';

/** Called with each live event of a run. */
export type RunEventListener = (runId: string, event: RunEvent) => void;

/** Where live events are published: the process's bus, and with PostgreSQL also the other processes. */
export interface LivePath {
  publish(runId: string, event: RunEvent): void;
}

/**
 * Carries live run events to subscribers in this process. Delivery is best effort: subscribers repair gaps
 * from the run's `events` query, which is the source of truth. A *hint* says "run X has events newer than
 * you may have" without carrying them (an event too large to relay), and makes followers repair at once.
 */
export class EventBus implements LivePath {
  private readonly listeners = new Map<string, Set<RunEventListener>>();
  private readonly everything = new Set<RunEventListener>();
  private readonly hintListeners = new Map<string, Set<() => void>>();

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

  /** Tells the run's followers that newer events exist than were delivered. */
  hint(runId: string): void {
    this.hintListeners.get(runId)?.forEach((listener) => listener());
  }

  /** Tells the followers of every run to check for newer events (the relay could not hear for a while). */
  hintAll(): void {
    for (const listeners of [...this.hintListeners.values()]) listeners.forEach((listener) => listener());
  }

  /** Subscribes to one run (or, with `'*'`, to every run); returns the unsubscribe function. */
  subscribe(runId: string, listener: RunEventListener): () => void {
    if (runId === '*') {
      this.everything.add(listener);
      return () => this.everything.delete(listener);
    }
    return addTo(this.listeners, runId, listener);
  }

  /** Subscribes to hints for one run; returns the unsubscribe function. */
  onHint(runId: string, listener: () => void): () => void {
    return addTo(this.hintListeners, runId, listener);
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, value: T): () => void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
  return () => {
    set.delete(value);
    if (set.size === 0) map.delete(key);
  };
}
