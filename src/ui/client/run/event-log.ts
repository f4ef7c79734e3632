import type { RunEvent } from '../../../workflows/state.js';
import { h } from '../dom.js';
import { clock, preview } from '../format.js';
import type { EventFrame } from '../feed.js';

/** An event from `GET /events` in the shape of a `/ws` frame. */
export function frameOf(runId: string, event: RunEvent): EventFrame {
  return { type: 'event', runId, seq: event.seq, sub: event.sub, event: event.type, nodeId: event.nodeId, at: event.at, data: event.data };
}

function summary(frame: EventFrame): string {
  const d = (frame.data ?? {}) as Record<string, unknown>;
  const error = d.error as { message?: string } | undefined;
  switch (frame.event) {
    case 'node.failed':
    case 'run.failed':
      return error?.message ?? '';
    case 'node.retrying':
      return `attempt ${typeof d.attempt === 'number' ? d.attempt : '?'}${error?.message ? ` after: ${error.message}` : ''}`;
    case 'node.waiting':
      return typeof d.prompt === 'string' ? d.prompt : preview(frame.data);
    case 'node.completed':
    case 'run.completed':
      return 'output' in d ? `→ ${preview(d.output, 100)}` : '';
    case 'node.skipped':
      return d.by === 'operator' ? 'by an operator' : '';
    case 'run.paused':
      return d.reason === 'node-failed' ? `a node failed: ${String((d.nodeIds as string[] | undefined)?.join(', ') ?? '')}` : 'by an operator';
    default:
      return preview(frame.data, 100);
  }
}

/**
 * The run's events in seq order, each once, whether it came from the history (`GET /events`) or live from
 * `/ws`. Progress ticks are left to the graph; the log keeps the state changes.
 */
export class EventLogView {
  private readonly seen = new Set<number>();
  private readonly list = h('ol', { class: 'event-list' });
  readonly element = h('div', { class: 'event-log', tabindex: '0', role: 'log', 'aria-label': 'Run events' }, this.list);

  /**
   * The first row with a higher seq, or null when the event goes last, as live events and history pages do:
   * checked first, then a binary search, so that filling the log with thousands of events stays linear.
   */
  private firstAfter(seq: number): Element | null {
    const rows = this.list.children;
    const seqAt = (i: number) => Number((rows[i] as HTMLElement).dataset.seq);
    if (rows.length === 0 || seqAt(rows.length - 1) < seq) return null;
    let [low, high] = [0, rows.length - 1];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (seqAt(mid) > seq) high = mid;
      else low = mid + 1;
    }
    return rows[low] ?? null;
  }

  add(frame: EventFrame): void {
    if (frame.sub !== undefined || frame.event === 'node.progress' || this.seen.has(frame.seq)) return;
    this.seen.add(frame.seq);
    const atBottom = this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < 24;
    const kind = frame.event.split('.')[1] ?? '';
    const row = h('li', { class: 'event', 'data-seq': frame.seq, 'data-event': frame.event, 'data-kind': kind },
      h('span', { class: 'event-seq mono' }, `#${frame.seq}`),
      h('time', { class: 'event-time mono', datetime: frame.at }, clock(frame.at)),
      h('span', { class: 'event-type' }, frame.event),
      h('span', { class: 'event-node mono' }, frame.nodeId ?? ''),
      h('span', { class: 'event-summary' }, summary(frame)));
    this.list.insertBefore(row, this.firstAfter(frame.seq));
    if (atBottom) this.element.scrollTop = this.element.scrollHeight;
  }
}
