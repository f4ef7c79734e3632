import { ActivityFailure, ApplicationFailure, CancellationScope, condition, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { evaluateValue, type ExpressionScope } from '../../template/expressions.js';
import { notPerItemTypes } from '../../template/map-inner.js';
import type { TemplateNode } from '../../template/model.js';
import { holdsBlobRef, mapItemBlobThresholdBytes, type BlobRef } from '../blob-ref.js';
import { blobReadsPatch } from '../blob-reads.js';
import { readsInsideOutputs } from '../../template/references.js';
import { nodeFailure, toRunError } from '../failures.js';
import { storeLargestOutputs } from '../large-values.js';
import { childWorkflowId } from '../lineage.js';
import { change, hasChange } from '../revision.js';
import { runActivityNode } from './activity.js';
import { runChildTemplate } from './child-run.js';
import { runDelayNode } from './delay.js';
import { runTransformNode } from './transform.js';
import type { NodeExecutor } from './types.js';

/** What a map runs per item: an inner node, or a child run of a template. */
export type MapInner = { node: { type: string; config?: unknown } } | { template: string; version?: number; input?: unknown };

/** Everything needed to run a map's items, here or in a batch child: plain data, so it can travel as input. */
export interface MapWork {
  runId: string;
  nodeId: string;
  attempt: number;
  inner: MapInner;
  /** The scope per-item expressions read, `item` and `index` aside (only the nodes they name). */
  scope: ExpressionScope;
  /** The map node's activity options, for inner activity nodes. */
  activityOptions: ActivityOptions;
  /**
   * The seq of the map's `node.started` event, which the live progress of its items' activities follows (each
   * naming its item); absent in runs from before {@link mapItemProgressChange}, whose items' progress said 0.
   */
  seq?: number;
}

/**
 * Since this change a map's per-item activities are given the seq of the map's `node.started` event and their
 * item's index, so that their live progress follows that event and says which item it is, each item numbering
 * its frames in a range of its own. Before it they were given seq 0, and the frames of all items shared one range.
 */
export const mapItemProgressChange = change('weft-map-item-progress', 30);

/**
 * From this many items on, a per-item `transform` is evaluated in one activity per slice: the sandbox records a
 * stack trace for every promise, and JSONata makes many, so thousands of evaluations here would take minutes.
 */
const evaluateOutsideFrom = 20;

/**
 * Since this patch a map whose per-item config (or child input) reads inside a node output held as a blob
 * reference evaluates it for all its items in one activity, which reads the stored values; before it, each item
 * read the reference's own fields. Asked for only by such maps, so other runs carry no marker.
 */
export const mapItemBlobReadsPatch = change('weft-map-item-blob-reads', 5);

/**
 * Since this patch the node outputs a map carries in its per-item scope (into each batch child's input, into the
 * input of an activity that evaluates a slice) are stored as blobs, largest first, until the rest fit in
 * {@link carriedScopeBudget}; before it, they went as they were, so that outputs under the blob threshold each
 * could together pass Temporal's payload limit, and the server ended the run. Asked for only by such maps.
 */
export const mapScopeBlobsPatch = change('weft-map-scope-blobs', 13);

/**
 * The most JSON characters of node outputs a map's per-item scope carries as they are. A map in batches carries
 * its scope once per batch, into the run's history: at this size 20 batches (10,000 items) add 1.3 MB.
 */
export const carriedScopeBudget = 64 * 1024;

/**
 * The work with the largest outputs of its scope stored as blobs, until the rest fit in {@link carriedScopeBudget}:
 * done before the scope goes into an input. Per-item expressions read inside stored outputs where the values can
 * be read, as they read inside any stored output (see {@link runItems}).
 */
export async function withCarriedScope(work: MapWork): Promise<MapWork> {
  const ids = Object.keys(work.scope.nodes);
  const stored = await storeLargestOutputs(work.runId, ids.map((id) => work.scope.nodes[id]!.output), carriedScopeBudget, mapScopeBlobsPatch);
  if (!stored) return work;
  const nodes = Object.fromEntries(ids.map((id, i) => {
    const node = work.scope.nodes[id]!;
    return [id, stored[i] === node.output ? node : { ...node, output: stored[i] }];
  }));
  return { ...work, scope: { ...work.scope, nodes } };
}

/** Evaluates a per-item value (a `transform`'s value, an inner node's config) over a slice of items in one activity. */
async function evaluateSlice(given: MapWork, value: unknown, items: unknown[], offset: number, what: 'transform' | 'config'): Promise<unknown[] | BlobRef> {
  const work = await withCarriedScope(given);
  const { evaluateItems } = proxyActivities<Activities>({ ...work.activityOptions, summary: `${work.nodeId}[${offset}…${offset + items.length - 1}] (${what})` });
  // A transform's outputs too large for history come back stored; configs come back each, their large parts stored.
  return evaluateItems({ value, scope: work.scope, items, offset, runId: work.runId, ...(what === 'config' ? { configs: true } : {}) });
}

/** The nodes in a map's scope whose output is, or holds, a blob reference. */
function blobbedIn(scope: ExpressionScope): Set<string> {
  return new Set(Object.keys(scope.nodes).filter((id) => holdsBlobRef(scope.nodes[id])));
}

/** Inner node types that run inside the interpreter; any other type runs as its activity. */
const innerRunners: Readonly<Record<string, NodeExecutor>> = { transform: runTransformNode, delay: runDelayNode };

/** Whether a map's per-item node of `type` runs as its activity (which reports live progress), not in here. */
export function runsAsActivity(type: string): boolean {
  return !Object.hasOwn(innerRunners, type);
}
/** Runs one item; `evaluated` is its config (or child input) when the slice's were evaluated in an activity. */
async function runItem(work: MapWork, item: unknown, index: number, evaluated?: { value: unknown }): Promise<unknown> {
  const scope: ExpressionScope = { ...work.scope, item, index };
  if ('template' in work.inner) {
    const input = evaluated ? evaluated.value : work.inner.input === undefined ? item : await evaluateValue(work.inner.input, scope);
    return runChildTemplate({
      parentRunId: work.runId, runId: childWorkflowId(work.runId, work.nodeId, work.attempt, index),
      templateId: work.inner.template, version: work.inner.version, input, summary: `${work.nodeId}[${index}]: ${work.inner.template}`,
      outputBlobThreshold: mapItemBlobThresholdBytes,
    });
  }
  const { type, config: raw } = work.inner.node;
  if (notPerItemTypes.has(type)) throw nodeFailure('UnsupportedMapNode', `a map cannot run "${type}" nodes per item; use a template instead`);
  const config = evaluated ? evaluated.value : await evaluateValue(raw ?? {}, scope);
  const node: TemplateNode = { id: work.nodeId, type, config: raw };
  return (innerRunners[type] ?? runActivityNode)({
    runId: work.runId, template: { id: '', name: '', nodes: [node] }, node, config, attempt: work.attempt, scope, maxParallel: 1,
    ...(work.seq === undefined ? { seq: 0 } : { seq: work.seq, item: index }),
    activityOptions: { ...work.activityOptions, summary: `${work.nodeId}[${index}] (${type})` },
    wait: () => undefined, decision: () => undefined, attempts: () => undefined, storeAbove: mapItemBlobThresholdBytes,
  });
}

/**
 * Since this change the first item of a map to fail cancels the items in flight (their activities, timers and
 * child runs) and fails the map once they have ended; so does a batch of a large map, for the other batches.
 * Before it, the map waited for every item in flight to end, however long (a child run waiting on a person, a
 * one-hour timer), and a failed batch failed the map at once while the other batches ran on. And a failed item
 * of a `transform` evaluated for a slice of items fails the map with `MapItemFailed`, its index and its error,
 * as other items do, where it failed with the slice's error (in a batch, "Activity task failed"). Asked for only
 * as an item or a batch fails.
 */
export const mapFailFastChange = change('weft-map-fail-fast', 26);

/**
 * Since this change a map starts no more items (or batches) while its run is paused: those in flight end, and
 * once none is left the map no longer holds the pause up, so the run is `paused`; it goes on at resume. Before
 * it, a map went on starting items until all had run. Asked for only as a map finds its run paused.
 */
export const mapPauseChange = change('weft-map-pause', 28);

/** How a map's lanes hear of an operator's pause: whether the run is paused, and where to say the map is idle in it. */
export interface LaneGate {
  held(): boolean;
  /** The map has nothing in flight while held (true), or goes on (false). */
  idle(idle: boolean): void;
}

/**
 * Runs `task` for slots `0…count-1`, `lanes` at a time, resolving with the results in slot order. The first
 * failure starts no more slots, cancels those in flight and, once they have ended, rejects with its error
 * (`failed` makes it). Runs without {@link mapFailFastChange} do as they did: `before` says whether the first
 * failure waited for the slots in flight (items) or rejected at once (batches). While `gate` holds, no slot
 * starts ({@link mapPauseChange}).
 */
export async function inLanes<T>(
  count: number, lanes: number, task: (i: number) => Promise<T>,
  { failed = (_i, err) => err, before, gate }: { failed?: (i: number, err: unknown) => unknown; before: 'wait-for-the-rest' | 'fail-at-once'; gate?: LaneGate },
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  const running = new CancellationScope();
  let next = 0;
  let failure: { err: unknown } | undefined;
  const laneCount = Math.max(1, Math.min(lanes, count));
  // Lanes still taking slots, and those of them held by a pause: when they are the same, nothing is in flight.
  let alive = laneCount;
  let held = 0;
  const holdWhilePaused = async (open: LaneGate): Promise<void> => {
    held++;
    if (held === alive) open.idle(true);
    await condition(() => !open.held());
    if (held === alive) open.idle(false);
    held--;
  };
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      if (gate?.held() && hasChange(mapPauseChange)) {
        await holdWhilePaused(gate);
        continue;
      }
      const i = next++;
      try {
        results[i] = await task(i);
      } catch (err) {
        // Slots cancelled because another failed end with their cancellation: the first failure is the map's.
        if (failure !== undefined) continue;
        const change = hasChange(mapFailFastChange);
        if (!change && before === 'fail-at-once') throw failed(i, err);
        failure = { err: failed(i, err) };
        if (change) running.cancel();
      }
    }
    alive--;
    // The last lane in flight ending while the others are held leaves the map idle.
    if (gate && alive > 0 && held === alive) gate.idle(true);
  };
  await running.run(() => Promise.all(Array.from({ length: laneCount }, lane)));
  if (failure) throw failure.err;
  return results;
}

/** The failure of a map whose item `index` failed with `err`. */
function itemFailure(index: number, err: unknown): ApplicationFailure {
  const error = toRunError(err);
  return nodeFailure('MapItemFailed', `item ${index} failed: ${error.message}`, { index, error });
}

/**
 * A slice's `transform` evaluated in one activity; a failed item fails it as an item run here does
 * ({@link itemFailure}), once {@link mapFailFastChange} is in.
 */
async function transformSlice(work: MapWork, value: unknown, items: unknown[], offset: number): Promise<unknown[] | BlobRef> {
  try {
    return await evaluateSlice(work, value, items, offset, 'transform');
  } catch (err) {
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    const item = cause?.details?.[0] as { index?: unknown; message?: unknown } | undefined;
    if (!cause || typeof item?.index !== 'number' || typeof item.message !== 'string' || !hasChange(mapFailFastChange)) throw err;
    throw itemFailure(item.index, ApplicationFailure.create({ type: cause.type ?? undefined, message: item.message }));
  }
}

/**
 * Runs items `concurrency` at a time and resolves with their outputs in item order (a stored list when a
 * transform's outputs were too large for history). The first failure stops new items from starting, cancels
 * those in flight and, once they have ended, fails with the item's index and error ({@link inLanes}).
 */
export async function runItems(work: MapWork, items: unknown[], offset: number, concurrency: number, gate?: LaneGate): Promise<unknown[] | BlobRef> {
  // The activity also reads stored outputs the transform reads inside (see `blob-reads.ts`).
  const transform = 'node' in work.inner && work.inner.node.type === 'transform' ? work.inner.node : undefined;
  if (transform && (items.length >= evaluateOutsideFrom || (holdsBlobRef(work.scope.nodes) && hasChange(blobReadsPatch)))) {
    return transformSlice(work, (transform.config as { value?: unknown } | undefined)?.value ?? null, items, offset);
  }
  // Each item's config (or child input) read inside a stored output: evaluated for the slice where values are read.
  const perItem = 'node' in work.inner ? work.inner.node.config ?? {} : work.inner.input;
  // Which outputs hold references is asked only of values that read inside some output: it walks them whole.
  const readsInside = perItem !== undefined && readsInsideOutputs(perItem, new Set(Object.keys(work.scope.nodes)));
  const evaluated = readsInside && readsInsideOutputs(perItem, blobbedIn(work.scope)) && hasChange(mapItemBlobReadsPatch)
    ? ((await evaluateSlice(work, perItem, items, offset, 'config')) as unknown[]) // configs: never a stored list
    : undefined;
  const outputs = await inLanes(items.length, concurrency, (i) => runItem(work, items[i], offset + i, evaluated && { value: evaluated[i] }), {
    failed: (i, err) => itemFailure(offset + i, err), before: 'wait-for-the-rest', gate,
  });
  return outputs.map((output) => output ?? null);
}
