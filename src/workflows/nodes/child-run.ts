import { executeChild, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { interpreterWorkflowType } from '../definitions.js';
import type { RunInput } from '../input.js';
import { childRunDepth } from '../lineage.js';
import { currentRunRevision } from '../revision.js';
import { startingSearchAttributes } from '../search-attributes.js';
import type { RunResult } from '../state.js';

// Resolving the template is a DB read: a local activity, one marker event, no extra round trip to the server.
const { prepareChildRun } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: ['NotFound', 'InvalidInput'] },
});

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
  const final = await executeChild<(input: RunInput) => Promise<RunResult>>(interpreterWorkflowType, {
    workflowId: request.runId,
    args: [args],
    // Only the child's id and type are checked on replay, so runs recorded without these replay unchanged.
    typedSearchAttributes: startingSearchAttributes(args),
    staticSummary: request.summary,
  });
  return final.output ?? null;
}
