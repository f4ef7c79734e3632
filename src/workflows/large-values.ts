import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { blobThresholdBytes, isBlobRef, measuredSize, needsBlob } from './blob-ref.js';
import { change, hasChange, type Change } from './revision.js';
import type { NodeState } from './state.js';
import { largestUntilWithin } from './truncate.js';

// A local activity: its input never enters history (only the small reference it answers with does).
const { storeBlob } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: { initialInterval: '200ms', maximumInterval: '10s' } });

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

/**
 * Since this patch a continue-as-new whose node outputs together pass {@link carryBudget} stores the largest as
 * blobs first and hands their references on; before it, such a run was ended by Temporal, as the next
 * execution's input passed the payload limit. Asked for only by such runs.
 */
export const carryBlobsPatch = change('weft-carry-blobs', 6);

/** The most node outputs a continue-as-new carries in all (JSON characters), below Temporal's 512 KB warning. */
export const carryBudget = 384 * 1024;

/**
 * Stores the largest of `outputs` as blobs until the others fit in `budget` together (JSON characters; an absent
 * output or a reference counts as nothing), once the run has `since`. Answers the outputs with references in
 * place of the stored ones, or `undefined` when none had to be stored. `since` is asked only when some must be.
 */
export async function storeLargestOutputs(runId: string, outputs: readonly unknown[], budget: number, since: Change): Promise<unknown[] | undefined> {
  const chosen = largestUntilWithin(outputs.map((o) => (o === undefined || isBlobRef(o) ? 0 : measuredSize(o))), budget);
  if (chosen.length === 0 || !hasChange(since)) return undefined;
  const refs = await Promise.all(chosen.map((i) => storeAsBlob(runId, outputs[i])));
  const stored = [...outputs];
  chosen.forEach((i, k) => (stored[i] = refs[k]));
  return stored;
}

/**
 * Replaces the largest outputs of `nodes` by blob references until together they fit in {@link carryBudget}.
 * Expressions read inside them as inside any stored output (see `blob-reads.ts`).
 */
export async function storeCarriedOutputs(runId: string, nodes: NodeState[]): Promise<void> {
  const stored = await storeLargestOutputs(runId, nodes.map((n) => n.output), carryBudget, carryBlobsPatch);
  // The run's own node states stay as they are: they may still answer a query before the execution ends.
  stored?.forEach((output, i) => {
    if (output !== nodes[i]!.output) nodes[i] = { ...nodes[i]!, output };
  });
}
