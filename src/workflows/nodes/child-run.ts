import { CancellationScope, ChildWorkflowFailure, executeChild, isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { interpreterWorkflowType } from '../definitions.js';
import { nodeFailure } from '../failures.js';
import type { RunInput } from '../input.js';
import { childRunDepth } from '../lineage.js';
import { change, currentRunRevision, hasChange } from '../revision.js';
import { startingSearchAttributes } from '../search-attributes.js';
import type { RunResult } from '../state.js';

// Resolving the template is a DB read: a local activity, one marker event, no extra round trip to the server.
const { prepareChildRun } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: ['NotFound', 'InvalidInput'] },
});

/**
 * Since this change a child run cancelled on its own, by an operator or in the Web UI, fails the node that
 * started it (`ChildRunCancelled`), so its `onError` applies. Before it, an operator's cancel handed the node a
 * null output, as if the child had completed, and a cancel in the Web UI left the node `cancelled` and the run
 * waiting on it for good. Asked for only when a child was cancelled.
 */
export const childCancelledChange = change('weft-child-cancelled-fails', 16);

/** A child run to start: which template version, with which input, under which run id. */
export interface ChildRunRequest {
  parentRunId: string;
  runId: string;
  templateId: string;
  version?: number;
  input: unknown;
  summary: string;
  /** Above how many bytes of JSON the child stores its output as a blob, when lower than usual (a map's items). */
  outputBlobThreshold?: number;
}

/**
 * Runs another template as a child run of the interpreter and resolves with its output. The definition is
 * pinned when the child starts (the latest version when none is given); the child is a run of its own, in the
 * index and the API. Cancelling the node's scope cancels the child; the child failing rejects.
 */
export async function runChildTemplate(request: ChildRunRequest): Promise<unknown> {
  const depth = childRunDepth(request.templateId);
  const startedAt = new Date().toISOString();
  const stored = await prepareChildRun({ runId: request.runId, parentRunId: request.parentRunId, templateId: request.templateId, version: request.version, input: request.input, startedAt });
  const args: RunInput = {
    runId: request.runId, templateId: stored.templateId, templateVersion: stored.version, template: stored.definition,
    input: request.input, trigger: 'subworkflow', startedAt, parentRunId: request.parentRunId, depth, revision: currentRunRevision(),
    ...(request.outputBlobThreshold === undefined ? {} : { outputBlobThreshold: request.outputBlobThreshold }),
  };
  let final: RunResult;
  try {
    final = await executeChild<(input: RunInput) => Promise<RunResult>>(interpreterWorkflowType, {
      workflowId: request.runId,
      args: [args],
      // Only the child's id and type are checked on replay, so runs recorded without these replay unchanged.
      typedSearchAttributes: startingSearchAttributes(args),
      staticSummary: request.summary,
    });
  } catch (err) {
    // A cancellation this run asked for (its own cancel, its parent's) stays one: the node ends cancelled.
    if (err instanceof ChildWorkflowFailure && isCancellation(err) && !CancellationScope.current().consideredCancelled && hasChange(childCancelledChange)) throw cancelled(request.runId);
    throw err;
  }
  // An operator's cancel completes the child's workflow with the run's final status.
  if (final.status === 'cancelled' && hasChange(childCancelledChange)) throw cancelled(request.runId);
  return final.output ?? null;
}

function cancelled(runId: string) {
  return nodeFailure('ChildRunCancelled', `child run ${runId} was cancelled`);
}
