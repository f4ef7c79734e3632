import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { change } from './revision.js';

/**
 * Since this patch a `map` whose `items` is a list stored as a blob (a large response's list, say) goes through
 * it slice by slice, each slice read by a local activity where it runs; before it, the map failed with
 * `MapItemsNotAList`. Asked for only by such maps.
 */
export const mapStoredItemsPatch = change('weft-map-stored-items', 8);

/** The most JSON characters one slice of a stored list brings into a workflow's history. */
export const storedSliceBudget = 448 * 1024;

// Local activities: the stored list never enters history, only the plan, each slice where it is run, and the
// reference to a joined list.
export const { planStoredItems, readStoredItems, joinStoredLists } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', nonRetryableErrorTypes: ['MapItemsNotAList', 'BlobMissing', 'InputTooLarge'] },
});
