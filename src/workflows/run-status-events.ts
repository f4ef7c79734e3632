import type { RunEvent, RunStatus } from './state.js';

/**
 * The run's status after one of its run-level events, as the interpreter sets it when it emits the event;
 * undefined for events that leave the status as it was (node events). The live page applies events with it, and
 * the worker keeps an open run's index row current with it.
 */
export function runStatusAfterEvent(type: RunEvent['type'], data: unknown): RunStatus | undefined {
  switch (type) {
    case 'run.started':
    case 'run.resumed':
      return 'running';
    case 'run.pausing':
      return 'pausing';
    case 'run.paused':
      // An `onError: pause` hold reports itself as a pause the failure asked for.
      return (data as { reason?: unknown } | undefined)?.reason === 'node-failed' ? 'waiting_for_operator' : 'paused';
    case 'run.completed':
      return 'completed';
    case 'run.failed':
      return 'failed';
    case 'run.cancelled':
      return 'cancelled';
    default:
      return undefined;
  }
}
