import { change, hasChange } from './revision.js';
import { maxRunIdLength } from './definitions.js';
import { nodeFailure } from './failures.js';

/**
 * How many levels of child runs a run may sit under: a top-level run is level 0, its sub-workflows and map items
 * level 1, and so on. A template that starts itself, directly or through others, with no `when` that ends the
 * recursion would otherwise start runs without end; past this the node that would start one fails instead.
 */
export const maxRunDepth = 16;

/**
 * Since this change a child id past {@link maxRunIdLength} is shortened ({@link childWorkflowId}); before it,
 * Temporal refused the start, and the workflow task that started the child failed again and again. A cluster
 * that allows longer ids may hold runs that started such a child under the long id, and those replay with it.
 * Asked for only when an id is that long.
 */
export const shortChildIdsChange = change('weft-short-child-ids', 15);

/**
 * The current run's level: module state is the run's own, like the revision's (`revision.ts`). Runs started
 * before levels were recorded count as top-level.
 */
let runDepth = 0;

/** Sets the current run's level from its input (`RunInput.depth`, a map batch's `MapBatchInput.depth`). */
export function enterDepth(depth: number | undefined): void {
  runDepth = depth ?? 0;
}

/** The current run's level, for a map batch's input: items of a batch are children of the run, not of the batch. */
export function currentRunDepth(): number | undefined {
  return runDepth === 0 ? undefined : runDepth;
}

/**
 * The level of a child run the current run is about to start; fails the starting node, without retries, when
 * that passes {@link maxRunDepth}. Checked before the child is written anywhere, so nothing is left half-started.
 */
export function childRunDepth(templateId: string): number {
  const depth = runDepth + 1;
  if (depth > maxRunDepth) {
    throw nodeFailure('RunNestingTooDeep', `runs nest at most ${maxRunDepth} levels deep; this run is at level ${runDepth} and cannot start a run of "${templateId}" (does a template start itself with nothing that ends it?)`);
  }
  return depth;
}

/**
 * The workflow id of a child run or map batch: the parent's id with `parts` appended, so the Web UI and the API
 * show whose it is. Past {@link maxRunIdLength} (runs nested deep, long node ids) it is the top-level run's
 * id, `parts` and a hash of the whole id instead: as unique, and short enough for any deeper child to append to.
 */
export function childWorkflowId(parentId: string, ...parts: Array<string | number>): string {
  const whole = [parentId, ...parts].join('.');
  if (whole.length <= maxRunIdLength || !hasChange(shortChildIdsChange)) return whole;
  const root = parentId.split('.', 1)[0]!;
  return [root, ...parts, fnv1a64(whole)].join('.');
}

const fnvPrime = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bits, over the UTF-16 code units of `text`, as 16 hex digits: pure, so a replay computes the same. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * fnvPrime) & mask64;
  }
  return hash.toString(16).padStart(16, '0');
}
