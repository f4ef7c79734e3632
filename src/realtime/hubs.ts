import { everyEvent, readRunEvents, readRunState, type RunReaderDeps } from '../runs/read-run.js';
import type { EventBus } from './event-bus.js';
import { RunHubs } from './run-hub.js';

/**
 * The run hubs of a process, repairing gaps from the run's own events (query while open, index once closed),
 * every page of them.
 */
export function createRunHubs(bus: EventBus, readers: RunReaderDeps, idleCheckMs?: number): RunHubs {
  return new RunHubs(bus, {
    events: (runId, afterSeq) => everyEvent((after) => readRunEvents(readers, runId, after), afterSeq),
    state: (runId) => readRunState(readers, runId),
  }, idleCheckMs);
}
