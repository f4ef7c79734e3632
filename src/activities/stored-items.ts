import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { isBlobRef, jsonSize, type BlobRef } from '../workflows/blob-ref.js';
import { sliceBySize, type ItemSlice } from '../workflows/slices.js';
import { storedValue, storeValue } from './blobs.js';

/** How a map goes through a list stored as a blob: its length, and slices small enough to read into history. */
export interface StoredItemsPlan {
  length: number;
  slices: ItemSlice[];
}

async function storedList(db: Db, ref: BlobRef): Promise<unknown[]> {
  const value = await storedValue(db, ref);
  if (!Array.isArray(value)) throw ApplicationFailure.nonRetryable(`items is ${value === null ? 'null' : typeof value}, not a list`, 'MapItemsNotAList');
  return value as unknown[];
}

/**
 * Creates the local activities a `map` over a stored list uses: one plans its slices (at most `maxCount` items
 * and `budget` JSON characters each, as each slice is read into a workflow's history), one reads a slice.
 */
export function createStoredItemsActivities(db: Db) {
  return {
    async planStoredItems({ ref, maxCount, budget }: { ref: BlobRef; maxCount: number; budget: number }): Promise<StoredItemsPlan> {
      const items = await storedList(db, ref);
      const slices = sliceBySize(items.length, (i) => {
        const itemSize = jsonSize(items[i] ?? null) + 1;
        if (itemSize > budget) throw ApplicationFailure.nonRetryable(`item ${i} is ${itemSize} characters; a map takes items of at most ${budget}`, 'InputTooLarge');
        return itemSize;
      }, maxCount, budget);
      return { length: items.length, slices };
    },
    async readStoredItems({ ref, offset, count }: { ref: BlobRef; offset: number; count: number }): Promise<unknown[]> {
      return (await storedList(db, ref)).slice(offset, offset + count);
    },
    /** Joins a map's outputs, given per slice as lists or stored lists, into one stored list. */
    async joinStoredLists({ runId, parts }: { runId: string; parts: Array<unknown[] | BlobRef> }): Promise<BlobRef> {
      const lists = await Promise.all(parts.map((part) => (isBlobRef(part) ? storedList(db, part) : Promise.resolve(part))));
      return storeValue(db, runId, lists.flat());
    },
  };
}
