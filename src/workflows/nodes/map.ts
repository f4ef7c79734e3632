import { CancellationScope, executeChild, isCancellation } from '@temporalio/workflow';
import type { ExpressionScope } from '../../template/expressions.js';
import type { MapConfig } from '../../template/node-types/map.js';
import { scopeUse } from '../../template/references.js';
import { blobThresholdBytes, isBlobRef, measuredSize, needsBlob, type BlobRef } from '../blob-ref.js';
import { storeAsBlob } from '../large-values.js';
import { mapBatchWorkflowType } from '../definitions.js';
import { cutShort, nodeFailure, toRunError } from '../failures.js';
import { childWorkflowId, currentRunDepth } from '../lineage.js';
import type { MapBatchInput } from '../map-batch.js';
import { change, currentRunRevision, hasChange } from '../revision.js';
import { sliceBySize } from '../slices.js';
import { joinStoredLists, mapStoredItemsPatch, planStoredItems, readStoredItems, storedSliceBudget } from '../stored-items.js';
import { inLanes, mapItemProgressChange, runItems, runsAsActivity, withCarriedScope, type LaneGate, type MapInner, type MapWork } from './map-items.js';
import type { NodeExecutor } from './types.js';

/** Maps up to this many items run inside the run itself; larger ones run in batch child workflows of this size. */
export const mapBatchSize = 500;

/**
 * Since this patch a map whose items, as the workflow holds them, do not fit in slices of {@link mapBatchSize}
 * within {@link storedSliceBudget} runs them in slices cut by size as well, each in a batch child; before it,
 * slices of 500 whatever their size, whose input could pass Temporal's 2 MB payload limit (and a list of up to
 * 500 ran here whatever its size). Asked for only by such maps.
 */
export const mapSizedSlicesPatch = change('weft-map-sized-slices', 11);

/**
 * Since this patch a map whose per-item expressions read `nodes` as a whole (`$keys(nodes)`) or the scope itself
 * (`$$`) gives them every node; before it, only the nodes they named. Asked for only by such maps.
 */
export const mapWholeScopePatch = change('weft-map-whole-scope', 14);

/**
 * The input as far as per-item expressions read it: its fields they name (`input.<field>`), all of it when they
 * read it otherwise, nothing when they do not read it. A run's input may weigh up to Temporal's 2 MB, often in a
 * list the map goes through, and each batch would carry it into the run's history.
 */
function inputRead(input: unknown, fields: Set<string> | 'whole'): unknown {
  if (fields === 'whole') return input;
  if (fields.size === 0) return undefined;
  // A path over a list reads the field of every element: only an object's fields can be picked.
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const record = input as Record<string, unknown>;
  return Object.fromEntries([...fields].filter((field) => field in record).map((field) => [field, record[field]]));
}

/**
 * The scope per-item expressions need, which batches and slice evaluations carry: the run, the input as far as
 * they read it ({@link inputRead}), and only the nodes they read.
 */
function itemScope(scope: ExpressionScope, inner: MapInner): ExpressionScope {
  const use = scopeUse(inner);
  const input = inputRead(scope.input, use.inputFields);
  if (use.allNodes && hasChange(mapWholeScopePatch)) return { ...scope, input };
  const nodes = Object.fromEntries([...use.nodes].filter((id) => scope.nodes[id]).map((id) => [id, scope.nodes[id]!]));
  return { ...scope, input, nodes };
}

/**
 * A `map` node runs its inner node (or a child run of a template) once per item, at most `concurrency` (and
 * `maxParallel`) at a time, and outputs the results in item order. Up to {@link mapBatchSize} items run here;
 * beyond that, items run in batch child workflows, so that a 10,000-item map adds a few dozen events to the
 * run's history rather than tens of thousands.
 */
export const runMapNode: NodeExecutor = (context) => mapNode(context).catch((err: unknown) => {
  // Cut short with the rest of its run, a map is cancelled as any node is, whatever its items or batches ended with.
  throw cutShort(err, mapCancelledChange, 'the map was cut short with its run');
});

/**
 * Since this change a map cut short with the rest of its run (an operator's cancel, or another node's failure
 * ending the run) ends `cancelled`, as any node cut short does. Before it, its cancelled items or batches failed
 * it (`MapItemFailed`), so a run that failed because of another node could name the map as the node that failed
 * it. A batch cancelled on its own (in the Web UI) still fails the map. Asked for only when a map ends in a
 * cancelled scope.
 */
export const mapCancelledChange = change('weft-map-cancelled', 19);

const mapNode: NodeExecutor = async ({ runId, node, config, attempt, seq, scope, maxParallel, activityOptions, gate }) => {
  const c = config as MapConfig;
  const concurrency = Math.min(c.concurrency ?? maxParallel, maxParallel);
  const inner: MapInner = c.node ? { node: c.node } : { template: c.template ?? '', version: c.version, input: c.input };
  const reportsProgress = 'node' in inner && runsAsActivity(inner.node.type) && hasChange(mapItemProgressChange);
  const work = (): MapWork => ({ runId, nodeId: node.id, attempt, inner, scope: itemScope(scope, inner), activityOptions, ...(reportsProgress ? { seq } : {}) });
  if (isBlobRef(c.items) && hasChange(mapStoredItemsPatch)) return runStoredItems(work(), c.items, concurrency, gate);
  if (!Array.isArray(c.items)) throw nodeFailure('MapItemsNotAList', `items is ${c.items === null ? 'null' : typeof c.items}, not a list`);
  const items: unknown[] = c.items;
  // Cut as a stored list is: slices of 500 items at most, and of at most what one slice may bring into history.
  const byCount = sliceBySize(items.length, () => 0, mapBatchSize, storedSliceBudget);
  const bySize = sliceBySize(items.length, (i) => measuredSize(items[i] ?? null) + 1, mapBatchSize, storedSliceBudget);
  const slices = bySize.length > byCount.length && hasChange(mapSizedSlicesPatch) ? bySize : byCount;
  if (slices.length <= 1) return runItems(work(), items, 0, concurrency, gate);
  // A list too large to hand to batches in their inputs, which all go into the run's history, is stored once and
  // read slice by slice where each batch runs, as a stored list is.
  if (needsBlob(items) && hasChange(mapHistoryBudgetChange)) return runStoredItems(work(), (await storeAsBlob(runId, items)) as BlobRef, concurrency, gate);
  return runBatches(work(), slices.map(({ offset, count }) => ({ offset, items: items.slice(offset, offset + count) })), concurrency, gate);
};

/**
 * Since this change a large map keeps the run's history within bounds however many items it has: a list of
 * items past the blob threshold is stored before it is cut into batches, rather than handed to each batch in its
 * input, and each batch answers with its outputs inline only within its share of that threshold
 * ({@link batchOutputInlineBytes}), storing them otherwise. Before it, a batch answered with up to 256 KB inline,
 * so a map of 110,000 items with 480-byte outputs passed Temporal's 50 MB history limit and the run was ended.
 * Asked for only by maps run in batches.
 */
export const mapHistoryBudgetChange = change('weft-map-history-budget', 27);

/**
 * Above how many bytes of JSON a batch of a map in `batches` batches stores its outputs: the batches' inline
 * outputs together stay near the blob threshold (the map's joined output would be stored past it anyway), and
 * each at least 1 KB.
 */
export function batchOutputInlineBytes(batches: number): number {
  return Math.max(1024, Math.floor(blobThresholdBytes / batches));
}

/** One batch child's share of the items: given, or a slice of a stored list. */
type Slice = { offset: number; items: unknown[] } | { offset: number; stored: { ref: BlobRef; count: number } };

/**
 * Runs slices of a map's items as batch child workflows, as many at once as `concurrency` allows, and joins
 * their outputs: in the workflow, or, when a batch answered with a stored list, into one stored list.
 */
async function runBatches(given: MapWork, slices: Slice[], concurrency: number, gate?: LaneGate): Promise<unknown[] | BlobRef> {
  // Every batch's input carries the scope: it goes into the run's history once per batch.
  const work = await withCarriedScope(given);
  const perBatch = Math.min(concurrency, mapBatchSize);
  const outputInlineBytes = hasChange(mapHistoryBudgetChange) ? batchOutputInlineBytes(slices.length) : undefined;
  const outputs = await inLanes(slices.length, Math.max(1, Math.floor(concurrency / perBatch)), (b) => {
    const slice = slices[b]!;
    const common = { work, offset: slice.offset, concurrency: perBatch, revision: currentRunRevision(), depth: currentRunDepth(), ...(outputInlineBytes ? { outputInlineBytes } : {}) };
    const input: MapBatchInput = 'items' in slice ? { ...common, items: slice.items } : { ...common, items: [], stored: slice.stored };
    const count = 'items' in slice ? slice.items.length : slice.stored.count;
    return executeChild<(input: MapBatchInput) => Promise<unknown[] | BlobRef>>(mapBatchWorkflowType, {
      workflowId: childWorkflowId(work.runId, work.nodeId, work.attempt, `batch-${b}`),
      args: [input],
      staticSummary: `${work.nodeId}: items ${slice.offset}–${slice.offset + count - 1}`,
    });
  }, {
    before: 'fail-at-once',
    gate,
    // A batch cancelled on its own (in the Web UI), not with its run, fails the map as a failed item does.
    failed: (b, err) => {
      if (!isCancellation(err) || CancellationScope.current().consideredCancelled) return err;
      const { offset } = slices[b]!;
      return nodeFailure('MapItemFailed', `item ${offset} failed: its batch (items from ${offset} on) was cancelled`, { index: offset, error: toRunError(err) });
    },
  });
  if (outputs.some(isBlobRef)) return joinStoredLists({ runId: work.runId, parts: outputs });
  return (outputs as unknown[][]).flat();
}

/**
 * A map over a list stored as a blob: planned in slices small enough for history, then run here when one slice
 * holds them all, else one batch child per slice, each reading its own slice.
 */
async function runStoredItems(work: MapWork, ref: BlobRef, concurrency: number, gate?: LaneGate): Promise<unknown[] | BlobRef> {
  const plan = await planStoredItems({ ref, maxCount: mapBatchSize, budget: storedSliceBudget });
  if (plan.slices.length <= 1) {
    const items = plan.length === 0 ? [] : await readStoredItems({ ref, offset: 0, count: plan.length });
    return runItems(work, items, 0, concurrency, gate);
  }
  return runBatches(work, plan.slices.map(({ offset, count }) => ({ offset, stored: { ref, count } })), concurrency, gate);
}
