import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { activityEvaluationSteps, evaluateValue, ExpressionError, type ExpressionScope } from '../template/expressions.js';
import { storeLargeParts, StoredParts, withStoredOutputs } from './blobs.js';

/** A template value to evaluate against a run's scope whose node outputs may be blob references. */
export interface ValueEvaluation {
  runId: string;
  value: unknown;
  scope: ExpressionScope;
}

/**
 * Creates the local activity that evaluates a template value reading inside node outputs stored as blobs: the
 * references of the outputs it reads inside are resolved, the value is evaluated, and the parts of a result too
 * large for history are stored as blobs in turn. Pure apart from that store, so a retried attempt is harmless.
 */
export function createEvaluateWithValuesActivity(db: Db) {
  return async function evaluateWithValues({ runId, value, scope }: ValueEvaluation): Promise<unknown> {
    // Only outputs read inside: one only handed on whole stays the reference it is, rather than being stored again.
    const resolved = await withStoredOutputs(db, scope, { value });
    let result: unknown;
    try {
      result = await evaluateValue(value, resolved, activityEvaluationSteps);
    } catch (err) {
      // The same expression fails the same way on every attempt.
      if (err instanceof ExpressionError) throw ApplicationFailure.nonRetryable(err.message, 'ExpressionError');
      throw err;
    }
    // An output read inside and handed on whole too goes back as the reference it was.
    return storeLargeParts(db, runId, result, undefined, StoredParts.ofResolved(scope, resolved));
  };
}
