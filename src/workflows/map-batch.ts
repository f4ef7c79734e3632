import type { BlobRef } from './blob-ref.js';
import { runItems, type MapWork } from './nodes/map-items.js';
import { readStoredItems } from './stored-items.js';

/** One batch of a large map's items, run as a child workflow so the run's own history stays short. */
export interface MapBatchInput {
  work: MapWork;
  /** The batch's items; empty when they are a slice of a stored list (`stored`). */
  items: unknown[];
  /** The items are `count` items of this stored list from `offset` on, read where the batch runs. */
  stored?: { ref: BlobRef; count: number };
  /** The index of the batch's first item in the whole list. */
  offset: number;
  concurrency: number;
}

/** Runs one batch of a map's items and resolves with their outputs in item order. */
export async function runMapBatch(input: MapBatchInput): Promise<unknown[]> {
  const { stored } = input;
  const items = stored ? await readStoredItems({ ref: stored.ref, offset: input.offset, count: stored.count }) : input.items;
  return runItems(input.work, items, input.offset, input.concurrency);
}
