import { jsonSize } from './blob-ref.js';

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
  const size = jsonSize(value);
  if (size <= limit) return value;
  return { $truncated: true, size, preview: JSON.stringify(value).slice(0, 200) } satisfies TruncatedValue;
}
