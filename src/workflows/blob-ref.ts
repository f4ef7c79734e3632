/**
 * Values too large for Temporal payloads live in the `blobs` table; runs carry a reference in their place.
 * Pure: workflows, activities and the API share it.
 */

/** A value stored by reference: where it is, how large its JSON is, and the start of it. */
export interface BlobRef {
  $ref: `blob:${string}`;
  size: number;
  preview: string;
}

/** Outputs whose JSON is larger than this many bytes are stored as blobs (Temporal's payload limit is 2 MB). */
export const blobThresholdBytes = 256 * 1024;

/**
 * A map item's output (an inner activity node's, a per-item child run's) larger than this is stored as a blob. A
 * map keeps up to 500 item outputs in one history (the run's, or a batch's): at this size they stay under 4 MB
 * together, far from Temporal's 50 MB history limit, where at {@link blobThresholdBytes} they could pass it.
 */
export const mapItemBlobThresholdBytes = 8 * 1024;

/**
 * The most one Temporal payload may weigh (its default blob size limit): a workflow's input, an update's
 * arguments. Temporal refuses larger ones.
 */
export const payloadLimitBytes = 2 * 1024 * 1024;

const previewChars = 200;

/** Size of a value's JSON in UTF-16 code units, a close enough measure for a threshold. */
export function jsonSize(value: unknown): number {
  return value === undefined ? 0 : (JSON.stringify(value)?.length ?? 0);
}

// Outputs, errors and run outputs are never changed once made, so each object's size is measured once.
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

/**
 * True when a value must be stored as a blob before it goes through history: it is not a reference already and
 * its JSON is larger than `threshold`. The workflow and the activities both decide by it.
 */
export function needsBlob(value: unknown, threshold = blobThresholdBytes): boolean {
  return !isBlobRef(value) && measuredSize(value) > threshold;
}

/** The reference to a stored value. */
export function blobRef(id: string, json: string): BlobRef {
  return { $ref: `blob:${id}`, size: json.length, preview: json.slice(0, previewChars) };
}

/** True when the value is a {@link BlobRef}. */
export function isBlobRef(value: unknown): value is BlobRef {
  return value !== null && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string' && (value as { $ref: string }).$ref.startsWith('blob:');
}

/** The blob id of a reference. */
export function blobIdOf(ref: BlobRef): string {
  return ref.$ref.slice('blob:'.length);
}

/** True when a value is a {@link BlobRef} or holds one anywhere inside it (a map's outputs, a child's output). */
export function holdsBlobRef(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isBlobRef(value)) return true;
  if (Array.isArray(value)) return value.some(holdsBlobRef);
  for (const key in value) if (holdsBlobRef((value as Record<string, unknown>)[key])) return true;
  return false;
}
