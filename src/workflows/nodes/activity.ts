import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { NodeActivityInput, NodeActivityResult } from '../../activities/node-input.js';
import { isPending } from '../../template/expressions.js';
import { needsBlob } from '../blob-ref.js';
import { storeAsBlob } from '../large-values.js';
import { change, hasChange } from '../revision.js';
import type { NodeExecutor } from './types.js';

type NodeActivities = Record<string, (input: NodeActivityInput) => Promise<NodeActivityResult>>;

/**
 * Since this patch a node activity's config too large for history is stored as a blob and handed over as its
 * reference, which the activity resolves; before it, a config past Temporal's payload limit made the server end
 * the run. Asked for only by such configs.
 */
export const configBlobsPatch = change('weft-config-blobs', 7);

/**
 * Runs a node as the activity named after its type, with the node's retry policy, timeouts and summary as
 * Temporal activity options, so retries, timeouts and heartbeats are Temporal's own. Written with `then`
 * rather than `async`, as the sandbox records a stack trace for every promise a workflow makes.
 */
export const runActivityNode: NodeExecutor = ({ runId, node, config, activityOptions, seq, item, attempts, storeAbove }) => {
  const activity = proxyActivities<NodeActivities>(activityOptions)[node.type];
  if (!activity) return Promise.reject(new TypeError(`no activity for node type "${node.type}"`));
  const call = (sent: unknown) => activity({ runId, nodeId: node.id, config: sent, seq, ...(item === undefined ? {} : { item }), ...(storeAbove === undefined ? {} : { storeAbove }) });
  const sent = needsBlob(config) && hasChange(configBlobsPatch) ? storeAsBlob(runId, config) : config;
  return (isPending(sent) ? sent.then(call) : call(sent)).then(
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
