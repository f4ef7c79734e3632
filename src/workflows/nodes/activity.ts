import { proxyActivities } from '@temporalio/workflow';
import type { NodeActivityInput } from '../../activities/node-input.js';
import type { NodeExecutor } from './types.js';

type NodeActivities = Record<string, (input: NodeActivityInput) => Promise<unknown>>;

/**
 * Runs a node as the activity named after its type, with the node's retry policy, timeouts and summary as
 * Temporal activity options, so retries, timeouts and heartbeats are Temporal's own.
 */
export const runActivityNode: NodeExecutor = async ({ runId, node, config, activityOptions }) => {
  const activities = proxyActivities<NodeActivities>(activityOptions);
  const activity = activities[node.type];
  if (!activity) throw new TypeError(`no activity for node type "${node.type}"`);
  return activity({ runId, nodeId: node.id, config });
};
