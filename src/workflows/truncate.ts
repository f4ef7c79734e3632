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
