import type { TemplateNode } from '../template/model.js';
import type { NodeState, RunState } from './state.js';

/** A node's state before the run has done anything with it. */
export function pendingNode(node: Pick<TemplateNode, 'id' | 'type' | 'name'>): NodeState {
  return { id: node.id, type: node.type, name: node.name, status: 'pending', attempts: 0 };
}

/**
 * A run's state before its workflow has run any code: what the interpreter's first snapshot would say. Readers
 * answer it for a run Temporal has not handed to a worker yet (a start delay), or closed before one ran it.
 */
export function initialRunState(run: { runId: string; templateId: string; templateVersion: number; startedAt: string; nodes: readonly TemplateNode[] }): RunState {
  return {
    runId: run.runId, templateId: run.templateId, templateVersion: run.templateVersion, status: 'running', progress: 0,
    startedAt: run.startedAt, nodes: run.nodes.map(pendingNode), seq: 0, inFlight: [],
  };
}
