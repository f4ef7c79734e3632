import { sinks } from './sinks.js';
import type { RunEvent } from './state.js';

/**
 * The events of this workflow execution that have not left on the live path yet. Module state is the
 * execution's own: the sandbox gives every execution its own module instances.
 */
let pending: { runId: string; events: RunEvent[] } | undefined;

/**
 * Queues an event for the live path; it leaves with the others of the same activation when the activation
 * concludes ({@link flushLiveEvents}). One sink call per activation rather than one per event: the worker copies
 * each sink call, with the whole workflow info, out of the sandbox, which made a wide fan-out's starts cost
 * more in copies than in scheduling.
 */
export function publishLive(runId: string, event: RunEvent): void {
  if (pending) pending.events.push(event);
  else pending = { runId, events: [event] };
}

/** Hands the activation's queued events to the `events` sink, in seq order. */
export function flushLiveEvents(): void {
  if (!pending) return;
  const { runId, events } = pending;
  pending = undefined;
  sinks.events.publish(runId, events);
}

/**
 * Takes the activation's queued events off the live path's queue, for a sink call that publishes them itself:
 * the close's, which publishes them once the run index has the run (see `WeftSinks.runIndex`).
 */
export function takeLiveEvents(): RunEvent[] {
  const events = pending?.events ?? [];
  pending = undefined;
  return events;
}
