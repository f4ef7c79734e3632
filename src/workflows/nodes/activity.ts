import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { NodeActivityInput, NodeActivityResult } from '../../activities/node-input.js';
import type { NodeExecutor } from './types.js';

type NodeActivities = Record<string, (input: NodeActivityInput) => Promise<NodeActivityResult>>;

/**
 * Runs a node as the activity named after its type, with the node's retry policy, timeouts and summary as
 * Temporal activity options, so retries, timeouts and heartbeats are Temporal's own. Written with `then`
 * rather than `async`, as the sandbox records a stack trace for every promise a workflow makes.
 */
export const runActivityNode: NodeExecutor = ({ runId, node, config, activityOptions, seq, attempts }) => {
  const activity = proxyActivities<NodeActivities>(activityOptions)[node.type];
  if (!activity) return Promise.reject(new TypeError(`no activity for node type "${node.type}"`));
  return activity({ runId, nodeId: node.id, config, seq }).then(
    (result) => {
      attempts(result.attempt);
      return result.output;
    },
    (err: unknown) => {
      if (err instanceof ActivityFailure && err.retryState === 'MAXIMUM_ATTEMPTS_REACHED') attempts(activityOptions.retry?.maximumAttempts ?? 1);
      throw err;
    },
  );
};
