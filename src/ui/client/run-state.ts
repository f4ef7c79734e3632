import type { NodeState, NodeStatus, RunError, RunState, RunStatus } from '../../workflows/state.js';
import { runProgress } from '../../workflows/run-progress.js';
import { runStatusAfterEvent } from '../../workflows/run-status-events.js';
import type { EventFrame } from './feed.js';

/** A node as the page shows it: its state plus the latest live progress its activity reported. */
export type NodeView = NodeState & { progress?: unknown };

/** Statuses after which a run changes no more. */
export const endedRunStatuses: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

type Data = Record<string, unknown> | undefined;

function asData(value: unknown): Data {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function applyToNode(node: NodeView, frame: EventFrame, data: Data): void {
  switch (frame.event) {
    case 'node.started':
      node.status = 'running';
      node.startedAt = frame.at;
      node.attempts = typeof data?.attempt === 'number' ? data.attempt : node.attempts + 1;
      for (const key of ['endedAt', 'error', 'output', 'waitingFor', 'progress'] as const) delete node[key];
      return;
    case 'node.waiting':
      node.status = 'waiting';
      node.waitingFor = data;
      return;
    case 'node.progress':
      node.progress = frame.data;
      return;
    case 'node.retrying':
      if (data?.error) node.error = data.error as RunError;
      // Temporal's own retries are live-only (`sub`) and the node keeps running; an operator's retry puts it back in line.
      if (frame.sub !== undefined) {
        if (typeof data?.attempt === 'number') node.attempts = Math.max(node.attempts, data.attempt);
      } else if (node.status === 'failed') {
        node.status = 'pending';
        delete node.endedAt;
        delete node.error;
      }
      return;
    default: {
      node.status = frame.event.slice('node.'.length) as NodeStatus;
      node.endedAt = frame.at;
      delete node.waitingFor;
      delete node.progress;
      if (data && 'output' in data) node.output = data.output;
      if (data?.error) node.error = data.error as RunError;
      if (frame.event === 'node.skipped' && data?.by === 'operator') node.skippedBy = 'operator';
    }
  }
}

/**
 * Applies one event to the run's state in place: the same change the workflow made when it emitted it, so the
 * page stays equal to `GET /api/v1/runs/:id` without asking again. `holdsOnFailure` names the nodes whose
 * failure holds the run for an operator (`onError: pause`), which progress does not count as ended.
 */
export function applyEvent(state: RunState, frame: EventFrame, holdsOnFailure: ReadonlySet<string> = new Set()): void {
  const data = asData(frame.data);
  if (frame.sub === undefined && frame.seq > state.seq) state.seq = frame.seq;
  if (frame.nodeId !== undefined) {
    const node = state.nodes.find((n) => n.id === frame.nodeId);
    if (node) applyToNode(node, frame, data);
  } else {
    state.status = runStatusAfterEvent(frame.event, data) ?? state.status;
    if (endedRunStatuses.includes(state.status)) state.endedAt ??= frame.at;
    if (frame.event === 'run.completed' && data && 'output' in data) state.output = data.output;
    if (frame.event === 'run.failed' && data?.error) state.error = data.error as RunError;
  }
  state.progress = runProgress(state.status, state.nodes, (n) => holdsOnFailure.has(n.id));
}
