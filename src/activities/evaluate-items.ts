import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { activityEvaluationSteps, evaluateValue, ExpressionError, type ExpressionScope } from '../template/expressions.js';
import { mapItemBlobThresholdBytes, type BlobRef } from '../workflows/blob-ref.js';
import { storeIfLarge, storeLargeParts, StoredParts, withStoredOutputs } from './blobs.js';

/** A map's per-item `transform`, evaluated for a slice of its items. */
export interface ItemsEvaluation {
  value: unknown;
  scope: ExpressionScope;
  items: unknown[];
  /** The index of the first item in the whole list. */
  offset: number;
  /** When given, outputs too large for history are stored under this run and answered by reference. */
  runId?: string;
  /**
   * The value is each item's config (or child input), not a `transform`'s: outputs it hands on whole stay
   * references (so does a stored output read inside and handed on whole too), which the node's activity (or
   * the child run) resolves, and each config's parts past {@link mapItemBlobThresholdBytes} are stored under
   * `runId`, each distinct value once for the slice. The slice's configs come back inline, into the run's
   * history, so that they stay small.
   */
  configs?: boolean;
}

/**
 * Creates the activity that evaluates a map's per-item `transform` over many items at once. Expressions are
 * pure and could run in the workflow, but the sandbox records a stack trace for every promise and JSONata makes
 * many: outside it, 10,000 items take milliseconds instead of minutes. Pure, so a retried attempt is harmless.
 */
export function createEvaluateItemsActivity(db: Db) {
  return async function evaluateItems({ value, scope: given, items, offset, runId, configs }: ItemsEvaluation): Promise<unknown[] | BlobRef> {
    // Outputs the run holds as blob references are read as the values they stand for; a config's, only those it
    // reads inside.
    const scope = await withStoredOutputs(db, given, configs ? { value } : undefined);
    const outputs: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        outputs.push((await evaluateValue(value, { ...scope, item: items[i], index: offset + i }, activityEvaluationSteps)) ?? null);
      } catch (err) {
        // The same expression fails the same way on every attempt: no retries.
        if (err instanceof ExpressionError) {
          // The item's index and own message go in the details: the map fails with them, as when an item fails alone.
          throw ApplicationFailure.create({ type: 'ExpressionError', message: `item ${offset + i}: ${err.message}`, nonRetryable: true, details: [{ index: offset + i, message: err.message }] });
        }
        throw err;
      }
    }
    if (runId === undefined) return outputs;
    if (configs) {
      // An output resolved because the config reads inside it, and also handed on whole, goes back as the
      // reference it was; any other large part is stored once for the whole slice.
      const stored = StoredParts.ofResolved(given, scope);
      return Promise.all(outputs.map((config) => storeLargeParts(db, runId, config, mapItemBlobThresholdBytes, stored)));
    }
    // A reference when stored: the map joins the slices' outputs (see `joinStoredLists`).
    return storeIfLarge(db, runId, outputs) as Promise<unknown[] | BlobRef>;
  };
}
