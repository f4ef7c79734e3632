import { runItems, type MapWork } from './nodes/map-items.js';

/** One batch of a large map's items, run as a child workflow so the run's own history stays short. */
export interface MapBatchInput {
  work: MapWork;
  items: unknown[];
  /** The index of the batch's first item in the whole list. */
  offset: number;
  concurrency: number;
}

/** Runs one batch of a map's items and resolves with their outputs in item order. */
export async function runMapBatch(input: MapBatchInput): Promise<unknown[]> {
  return runItems(input.work, input.items, input.offset, input.concurrency);
}
