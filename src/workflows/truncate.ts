import { measuredSize } from './blob-ref.js';

/** Values larger than this (JSON characters) are cut from run state answers; the node output route has them whole. */
export const stateValueLimit = 32 * 1024;

/** What stands in for a value too large for a state answer. */
export interface TruncatedValue {
  $truncated: true;
  size: number;
  preview: string;
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
  const markers = new Map<number, unknown>();
  const marker = (i: number): unknown => {
    if (!markers.has(i)) markers.set(i, truncated(outputs[i], 0));
    return markers.get(i);
  };
  for (const i of largestUntilWithin(shown.map(measuredSize), budget, (i) => measuredSize(marker(i)))) shown[i] = marker(i);
  return shown;
}

/**
 * Which of `sizes` to shrink, largest first (the earlier of equals first), until their total fits in `budget`:
 * none when it already does. `shrunk(i)` is item `i`'s size once shrunk, nothing unless given.
 */
export function largestUntilWithin(sizes: readonly number[], budget: number, shrunk: (i: number) => number = () => 0): number[] {
  let total = sizes.reduce((sum, size) => sum + size, 0);
  const chosen: number[] = [];
  for (const i of sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b)) {
    if (total <= budget) break;
    chosen.push(i);
    total += shrunk(i) - sizes[i]!;
  }
  return chosen;
}
