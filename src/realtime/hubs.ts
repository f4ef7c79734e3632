import { readAllRunEvents, readRunState, type RunReaderDeps } from '../runs/read-run.js';
import type { EventBus } from './event-bus.js';
import { RunHubs } from './run-hub.js';

/**
 * The run hubs of a process, repairing gaps from the run's own events (query while open, index once closed),
 * every page of them, in one query of the workflow when it holds them all.
 */
export function createRunHubs(bus: EventBus, readers: RunReaderDeps, idleCheckMs?: number): RunHubs {
  return new RunHubs(bus, {
    events: (runId, afterSeq) => readAllRunEvents(readers, runId, afterSeq),
    state: (runId) => readRunState(readers, runId),
  }, idleCheckMs);
}
