import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { getBlob, insertBlob } from '../db/runs.js';
import type { ExpressionScope } from '../template/expressions.js';
import { readsInsideOutputsOrErrors } from '../template/references.js';
import { blobIdOf, blobRef, blobThresholdBytes, holdsBlobRef, isBlobRef, needsBlob, type BlobRef } from '../workflows/blob-ref.js';

/** The size of a value's JSON in UTF-8 bytes, as Temporal weighs a payload against its limit. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

/** Stores a value as a blob and answers with its reference. */
export async function storeValue(db: Db, runId: string, value: unknown): Promise<BlobRef> {
  const id = randomUUID();
  await insertBlob(db, { id, runId, value });
  return blobRef(id, JSON.stringify(value));
}

/** The value itself when small enough for a Temporal payload, else stored and replaced by its reference. */
export function storeIfLarge(db: Db, runId: string, value: unknown, threshold = blobThresholdBytes): Promise<unknown> {
  if (!needsBlob(value, threshold)) return Promise.resolve(value);
  return storeValue(db, runId, value);
}

/**
 * Large values stored (or known to be stored) for a batch of {@link storeLargeParts} calls, by their JSON text:
 * values evaluated from one expression for many items are equal, not the same object (expressions answer
 * plain copies), and an output read inside is resolved to a copy of the value its reference stands for.
 */
export class StoredParts {
  private readonly byJson = new Map<string, Promise<unknown>>();

  /**
   * The outputs {@link withStoredOutputs} resolved from `given` into `resolved`, each known as the reference it
   * was: a value evaluated against `resolved` that hands one on whole gets that reference back, not a new blob.
   */
  static ofResolved(given: ExpressionScope, resolved: ExpressionScope): StoredParts {
    const stored = new StoredParts();
    for (const [id, node] of Object.entries(given.nodes)) {
      const output = resolved.nodes[id]?.output;
      if (isBlobRef(node.output) && output !== node.output) stored.byJson.set(JSON.stringify(output), Promise.resolve(node.output));
    }
    return stored;
  }

  /**
   * `value` itself when it needs no blob (as {@link needsBlob} says, from the one JSON text made here), else what
   * an equal value was stored as, or else `store`'s answer, kept for the next equal value.
   */
  once(value: unknown, threshold: number, store: () => Promise<unknown>): Promise<unknown> {
    if (value === undefined || isBlobRef(value)) return Promise.resolve(value);
    const json = JSON.stringify(value);
    if (json.length <= threshold) return Promise.resolve(value);
    let stored = this.byJson.get(json);
    if (!stored) this.byJson.set(json, (stored = store()));
    return stored;
  }
}

/**
 * Like {@link storeIfLarge}, but keeps an object's shape: its large fields are stored one by one, so that a
 * node config evaluated outside the workflow is still a config (`{ value: <reference> }`), not a reference.
 * With `stored`, shared between calls, a value met again is answered with the reference it got the first time:
 * a slice of item configs that each hand on one large value stores it once, or not at all when it is known.
 */
export function storeLargeParts(db: Db, runId: string, value: unknown, threshold = blobThresholdBytes, stored?: StoredParts): Promise<unknown> {
  const store = (): Promise<unknown> => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return storeValue(db, runId, value);
    return Promise.all(Object.entries(value).map(async ([k, v]) => [k, await storeLargeParts(db, runId, v, threshold, stored)] as const))
      .then((entries) => storeIfLarge(db, runId, Object.fromEntries(entries), threshold));
  };
  if (stored) return stored.once(value, threshold, store);
  return needsBlob(value, threshold) ? store() : Promise.resolve(value);
}

/** A stored value is missing: not retried, as trying again finds it no more. */
function blobMissing(ref: BlobRef): Error {
  return ApplicationFailure.nonRetryable(`blob ${ref.$ref} does not exist`, 'BlobMissing');
}

/** The value a blob reference stands for; `missing` makes the error when it is not stored (`BlobMissing` unless given). */
export async function storedValue(db: Db, ref: BlobRef, missing: (ref: BlobRef) => Error = blobMissing): Promise<unknown> {
  const row = await getBlob(db, blobIdOf(ref));
  if (!row) throw missing(ref);
  return row.value;
}

/**
 * Replaces every blob reference in a value with the stored value, so consumers see what was produced. A stored
 * value may hold references in turn (a map's outputs, stored whole when the list is large): those are resolved too.
 */
export async function resolveRefs(db: Db, value: unknown, missing?: (ref: BlobRef) => Error): Promise<unknown> {
  if (isBlobRef(value)) return resolveRefs(db, await storedValue(db, value, missing), missing);
  // Values without a reference come back as they are, not copied.
  if (!holdsBlobRef(value)) return value;
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveRefs(db, item, missing)));
  const entries = await Promise.all(Object.entries(value as object).map(async ([k, v]) => [k, await resolveRefs(db, v, missing)] as const));
  return Object.fromEntries(entries);
}

/**
 * A scope whose node outputs read as the values their blob references stand for; the scope itself when it holds
 * none. With `readBy`, only the outputs its expressions read inside: one it hands on whole stays a reference.
 */
export async function withStoredOutputs(db: Db, scope: ExpressionScope, readBy?: { value: unknown }): Promise<ExpressionScope> {
  if (!holdsBlobRef(scope.nodes)) return scope;
  if (!readBy) return { ...scope, nodes: (await resolveRefs(db, scope.nodes)) as ExpressionScope['nodes'] };
  // Only nodes that hold a reference are asked about: the question walks every expression of the value.
  const resolve = (id: string, node: ExpressionScope['nodes'][string]) => holdsBlobRef(node) && readsInsideOutputsOrErrors(readBy.value, new Set([id]));
  const entries = await Promise.all(Object.entries(scope.nodes).map(async ([id, node]) => [id, resolve(id, node) ? ((await resolveRefs(db, node)) as typeof node) : node] as const));
  return { ...scope, nodes: Object.fromEntries(entries) };
}

/** Creates the local activity that stores a large value the workflow produced (a map's outputs, a run's output). */
export function createStoreBlobActivity(db: Db) {
  return async function storeBlob({ runId, value }: { runId: string; value: unknown }): Promise<BlobRef> {
    return storeValue(db, runId, value);
  };
}

/**
 * Creates the local activity that answers a value with its blob references resolved: a child run's input that
 * holds a parent's stored output, read as the child starts.
 */
export function createResolveStoredActivity(db: Db) {
  return async function resolveStored({ value }: { value: unknown }): Promise<unknown> {
    return resolveRefs(db, value);
  };
}
