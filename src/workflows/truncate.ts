import { jsonSize } from './blob-ref.js';

/** Values larger than this (JSON characters) are cut from run state answers; the node output route has them whole. */
export const stateValueLimit = 32 * 1024;

/** What stands in for a value too large for a state answer. */
export interface TruncatedValue {
  $truncated: true;
  size: number;
  preview: string;
}

// Outputs, errors and run outputs are never changed once made, so each object's size is measured once per run.
const sizes = new WeakMap<object, number>();

/** {@link jsonSize}, remembered for objects: a run measures the same outputs for history, queries and live events. */
export function measuredSize(value: unknown): number {
  if (value === null || typeof value !== 'object') return jsonSize(value);
  let size = sizes.get(value);
  if (size === undefined) {
    size = jsonSize(value);
    sizes.set(value, size);
  }
  return size;
}

/** The value itself when small enough, else a {@link TruncatedValue} marker with its size and first characters. */
export function truncated(value: unknown, limit = stateValueLimit): unknown {
  const size = measuredSize(value);
  if (size <= limit) return value;
  return { $truncated: true, size, preview: JSON.stringify(value).slice(0, 200) } satisfies TruncatedValue;
}

/**
 * The most a state answer carries of node outputs in all (JSON characters). The state query's answer, each
 * operator command's answer and the run index's summary are built from one snapshot. Temporal refuses a payload
 * past 2 MB and warns past 512 KB: however many nodes a run has, its state stays below the warning.
 */
export const stateOutputsBudget = 384 * 1024;

/**
 * Node outputs as a state answer shows them: each cut at {@link stateValueLimit}, then, largest first, cut to a
 * marker until together they fit in `budget`. The node output route still has each one whole.
 */
export function shownOutputs(outputs: readonly unknown[], budget = stateOutputsBudget): unknown[] {
  const shown = outputs.map((output) => truncated(output));
  let total = 0;
  for (const value of shown) total += measuredSize(value);
  if (total <= budget) return shown;
  const largestFirst = shown.map((_, i) => i).sort((a, b) => measuredSize(shown[b]) - measuredSize(shown[a]) || a - b);
  for (const i of largestFirst) {
    if (total <= budget) break;
    const marker = truncated(outputs[i], 0);
    total += measuredSize(marker) - measuredSize(shown[i]);
    shown[i] = marker;
  }
  return shown;
}
