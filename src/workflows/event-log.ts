import { sinks } from './sinks.js';
import type { RunEvent, RunEventType } from './state.js';

/** A run's events with their per-run seq, held in workflow state and published on the live path. */
export class EventLog {
  private readonly events: RunEvent[] = [];

  constructor(private readonly runId: string, private lastSeq = 0) {}

  /** The seq of the newest event. */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * Records an event, timestamped with workflow time so that replay yields the same value, and publishes it.
   * The worker registers the sink without `callDuringReplay`, so a replay publishes nothing again.
   */
  emit(type: RunEventType, nodeId?: string, data?: unknown): RunEvent {
    const event: RunEvent = { seq: ++this.lastSeq, type, at: new Date().toISOString() };
    if (nodeId !== undefined) event.nodeId = nodeId;
    if (data !== undefined) event.data = data;
    this.events.push(event);
    sinks.events.publish(this.runId, event);
    return event;
  }

  /** Events after `seq`, in order. */
  after(seq: number): RunEvent[] {
    const first = this.events.findIndex((e) => e.seq > seq);
    return first < 0 ? [] : this.events.slice(first);
  }

  /** Every event, in order. */
  all(): RunEvent[] {
    return this.events.slice();
  }
}
