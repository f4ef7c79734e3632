import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { blobThresholdBytes, isBlobRef } from './blob-ref.js';
import { measuredSize } from './truncate.js';

// A local activity: its input never enters history (only the small reference it answers with does).
const { storeBlob } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: { initialInterval: '200ms', maximumInterval: '10s' } });

/** True when a value must be stored as a blob before it can be carried through history. */
export function needsBlob(value: unknown, threshold = blobThresholdBytes): boolean {
  return !isBlobRef(value) && measuredSize(value) > threshold;
}

/** Stores a value as a blob; answers with its reference. */
export function storeAsBlob(runId: string, value: unknown): Promise<unknown> {
  return storeBlob({ runId, value });
}

/**
 * A value produced inside the workflow (a map's outputs, a run's output), stored as a blob and replaced by its
 * reference when it is too large to carry through history. Activity outputs are stored by the activity itself.
 */
export async function byReference(runId: string, value: unknown, threshold = blobThresholdBytes): Promise<unknown> {
  if (!needsBlob(value, threshold)) return value;
  return storeAsBlob(runId, value);
}

/** {@link byReference} without a promise for a value small enough to carry as it is. */
export function byReferenceNow(runId: string, value: unknown): unknown {
  return needsBlob(value) ? storeAsBlob(runId, value) : value;
}
