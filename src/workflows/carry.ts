import type { NodeState } from './state.js';

/**
 * What a run hands to its next execution on continue-as-new: every node's state, operator flags and config
 * changes, and the seq reached. Events up to `seq` were flushed to the run index first, so the event sequence
 * goes on without a gap or a duplicate.
 */
export interface Carried {
  seq: number;
  nodes: NodeState[];
  pauseRequested: boolean;
  /** Configs given with operator retries, by node id. */
  overrides: Record<string, unknown>;
  /** Status last reported by a `run.*` event, so the next execution does not report it again. */
  reported: string;
  executions: number;
}
