import { terminalRunStatuses, type NodeState, type RunStatus } from './state.js';

/**
 * The share of a run's nodes that have ended, 0–100, as the run's state reports it and the live page keeps it:
 * every node once the run has ended. Until then a node that failed and holds the run for an operator
 * (`onError: pause`, told by `holds`) has not ended, as a retry or a skip is still to come: counting it made a
 * held run read 100% and fall back to 0% when the node was retried.
 */
export function runProgress(status: RunStatus, nodes: Iterable<NodeState>, holds: (node: NodeState) => boolean): number {
  if (terminalRunStatuses.includes(status)) return 100;
  let [count, ended] = [0, 0];
  for (const n of nodes) {
    count++;
    if (n.status !== 'pending' && n.status !== 'running' && n.status !== 'waiting' && !(n.status === 'failed' && holds(n))) ended++;
  }
  return count === 0 ? 100 : Math.floor((ended / count) * 100);
}
