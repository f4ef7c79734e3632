import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { evaluateValue, ExpressionError, type ExpressionScope } from '../template/expressions.js';
import type { BlobRef } from '../workflows/blob-ref.js';
import { storeIfLarge, withStoredOutputs } from './blobs.js';

/** A map's per-item `transform`, evaluated for a slice of its items. */
export interface ItemsEvaluation {
  value: unknown;
  scope: ExpressionScope;
  items: unknown[];
  /** The index of the first item in the whole list. */
  offset: number;
  /** When given, outputs too large for history are stored under this run and answered by reference. */
  runId?: string;
}

/**
 * Creates the activity that evaluates a map's per-item `transform` over many items at once. Expressions are
 * pure and could run in the workflow, but the sandbox records a stack trace for every promise and JSONata makes
 * many: outside it, 10,000 items take milliseconds instead of minutes. Pure, so a retried attempt is harmless.
 */
export function createEvaluateItemsActivity(db: Db) {
  return async function evaluateItems({ value, scope: given, items, offset, runId }: ItemsEvaluation): Promise<unknown[] | BlobRef> {
    // Outputs the run holds as blob references are read as the values they stand for.
    const scope = await withStoredOutputs(db, given);
    const outputs: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        outputs.push((await evaluateValue(value, { ...scope, item: items[i], index: offset + i })) ?? null);
      } catch (err) {
        // The same expression fails the same way on every attempt: no retries.
        if (err instanceof ExpressionError) throw ApplicationFailure.nonRetryable(`item ${offset + i}: ${err.message}`, 'ExpressionError');
        throw err;
      }
    }
    // A reference when stored: the map joins the slices' outputs (see `joinStoredLists`).
    return runId === undefined ? outputs : (storeIfLarge(db, runId, outputs) as Promise<unknown[] | BlobRef>);
  };
}
