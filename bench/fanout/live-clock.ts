import { performance } from 'node:perf_hooks';
import type { LivePath } from '../../src/realtime/event-bus.js';
import type { RunEvent } from '../../src/workflows/state.js';

/**
 * The worker's live path with a stopwatch: records `performance.now()` as each run event leaves the worker
 * (the sink call), then hands it on. Clients in the same process read the same clock on arrival, so the
 * difference is the whole trip through the bus, the run hub, the bridge, the socket and the client's parse.
 */
export class LiveClock implements LivePath {
  private readonly published = new Map<string, number[]>();

  constructor(private readonly next: LivePath) {}

  publish(runId: string, event: RunEvent): void {
    // Live-only events (progress) repeat the seq they follow; the stopwatch times the run's own events.
    if (event.sub === undefined) {
      let times = this.published.get(runId);
      if (!times) this.published.set(runId, (times = []));
      times[event.seq] ??= performance.now();
    }
    this.next.publish(runId, event);
  }

  /** When the run's event `seq` left the worker, if it did in this process. */
  publishedAt(runId: string, seq: number): number | undefined {
    return this.published.get(runId)?.[seq];
  }

  /** The highest seq the worker published for the run (0 when none). */
  lastSeq(runId: string): number {
    return Math.max(0, (this.published.get(runId)?.length ?? 1) - 1);
  }
}
