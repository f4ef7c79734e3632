import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, ChildWorkflowFailure, isCancellation } from '@temporalio/workflow';
import { controlFailureTypes } from './definitions.js';
import { hasChange, type Change } from './revision.js';
import type { RunError } from './state.js';

/** Turns whatever a node threw (an activity's, a child run's or the interpreter's failure) into a run error. */
export function toRunError(err: unknown, nodeId?: string): RunError {
  const cause = (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause ? err.cause : err;
  const error: RunError = { message: cause instanceof Error ? cause.message : String(cause) };
  if (cause instanceof ApplicationFailure) {
    if (cause.type) error.type = cause.type;
    if (cause.details?.length) error.details = cause.details[0];
  } else if (cause instanceof Error && cause.name !== 'Error') {
    error.type = cause.name;
  }
  if (nodeId !== undefined) error.nodeId = nodeId;
  return error;
}

/**
 * What work cut short with its scope (a map, a map's batch) fails with: a `CancelledFailure` saying `message` when
 * its scope was cancelled and `err` is not a cancellation already (the failure of an item it cancelled), for runs
 * with `since`; else `err` as it is.
 */
export function cutShort(err: unknown, since: Change, message: string): unknown {
  if (!isCancellation(err) && CancellationScope.current().consideredCancelled && hasChange(since)) return new CancelledFailure(message);
  return err;
}

/** A node failure that retrying cannot fix (a bad config value, a map over something that is not a list). */
export function nodeFailure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

/** Rejects an operator command naming a node the run does not have (the API answers 404). */
export function unknownNode(nodeId: string): ApplicationFailure {
  return ApplicationFailure.create({ type: controlFailureTypes.notFound, message: `node "${nodeId}" does not exist in this run`, nonRetryable: true });
}

/** Rejects an operator command that makes no sense in the run's current state (the API answers 409). */
export function notNow(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: controlFailureTypes.conflict, message, nonRetryable: true });
}
