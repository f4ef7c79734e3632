import { workflowInfo } from '@temporalio/workflow';
import { eventsPageBudget, pageFrom } from './event-page.js';
import { publishLive } from './live-events.js';
import type { EventPage, RunEvent, RunEventType } from './state.js';
import { truncated } from './truncate.js';

/**
 * An event as it leaves on the live path: large values in its data truncated as the state query shows them, so
 * that a large output is not copied out of the workflow sandbox with every event. The query keeps them whole.
 */
function live(event: RunEvent): RunEvent {
  const data = event.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return event;
  let cut: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const shown = truncated(value);
    if (shown !== value) (cut ??= { ...(data as Record<string, unknown>) })[key] = shown;
  }
  return cut ? { ...event, data: cut } : event;
}

/** A run's events with their per-run seq, held in workflow state and published on the live path. */
export class EventLog {
  private readonly events: RunEvent[] = [];

  constructor(private readonly runId: string, private lastSeq = 0) {}

  /** The seq of the newest event. */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * Records an event, timestamped with workflow time so that replay yields the same value, and publishes it
   * as the activation ends. The worker registers the sink without `callDuringReplay`, so a replay publishes
   * nothing again.
   */
  emit(type: RunEventType, nodeId?: string, data?: unknown): RunEvent {
    const event: RunEvent = { seq: ++this.lastSeq, type, at: new Date().toISOString() };
    if (nodeId !== undefined) event.nodeId = nodeId;
    if (data !== undefined) event.data = data;
    this.events.push(event);
    // The worker drops sink calls made during a replay: spare the sandbox the copy.
    if (!workflowInfo().unsafe.isReplaying) publishLive(this.runId, live(event));
    return event;
  }

  /** Events after `seq`, in order, as many as fit in `budget` (at least one). */
  after(seq: number, budget = eventsPageBudget): RunEvent[] {
    return this.page(seq, budget).items;
  }

  /** {@link after}, saying whether events were left out for the budget. */
  page(seq: number, budget = eventsPageBudget): EventPage {
    const first = this.events.findIndex((e) => e.seq > seq);
    if (first < 0) return { items: [], more: false };
    return pageFrom(this.events, first, budget);
  }

  /** Every event, in order. */
  all(): RunEvent[] {
    return this.events.slice();
  }
}
