import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { blobThresholdBytes, isBlobRef } from './blob-ref.js';
import { measuredSize } from './truncate.js';

// A local activity: its input never enters history (only the small reference it answers with does).
const { storeBlob } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: { initialInterval: '200ms', maximumInterval: '10s' } });

/**
 * A value produced inside the workflow (a map's outputs, a run's output), stored as a blob and replaced by its
 * reference when it is too large to carry through history. Activity outputs are stored by the activity itself.
 */
export async function byReference(runId: string, value: unknown, threshold = blobThresholdBytes): Promise<unknown> {
  if (isBlobRef(value) || measuredSize(value) <= threshold) return value;
  return storeBlob({ runId, value });
}
