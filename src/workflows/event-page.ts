import { measuredSize } from './blob-ref.js';
import type { EventPage, RunEvent } from './state.js';

/**
 * The most one page of a run's events carries (JSON characters): events hold whole outputs (up to the blob
 * threshold each), and Temporal warns of a payload past 512 KB and refuses one past 2 MB. The events query
 * answers such pages, and the API serves the index's the same way. A reader asks again after the last seq it got.
 */
export const eventsPageBudget = 448 * 1024;

/** `events` from index `first` on, as many as fit in `budget` (at least one), saying whether any were left out. */
export function pageFrom(events: readonly RunEvent[], first: number, budget = eventsPageBudget): EventPage {
  let end = first;
  for (let size = 0; end < events.length; end++) {
    size += measuredSize(events[end]!.data) + 100;
    if (size > budget && end > first) break;
  }
  return { items: events.slice(first, end), more: end < events.length };
}
