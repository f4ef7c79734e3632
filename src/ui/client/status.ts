import type { NodeStatus, RunStatus } from '../../workflows/state.js';
import { h } from './dom.js';

const runLabels: Record<RunStatus, string> = {
  running: 'Running',
  pausing: 'Pausing',
  paused: 'Paused',
  waiting_for_operator: 'Needs an operator',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const nodeLabels: Record<NodeStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  waiting: 'Waiting',
  completed: 'Completed',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** A run status in words. */
export function runLabel(status: string): string {
  return runLabels[status as RunStatus] ?? status;
}

/** A node status in words. */
export function nodeLabel(status: string): string {
  return nodeLabels[status as NodeStatus] ?? status;
}

/** A status badge: colour for a glance, and the status in words so it never depends on colour alone. */
export function badge(status: string, label = runLabel(status)): HTMLSpanElement {
  return h('span', { class: 'badge', 'data-status': status }, h('span', { class: 'dot', 'aria-hidden': 'true' }), label);
}
