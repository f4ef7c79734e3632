import type { ActivityOptions } from '@temporalio/workflow';
import type { ExpressionScope } from '../../template/expressions.js';
import type { Template, TemplateNode } from '../../template/model.js';
import type { ApprovalOutput } from '../../template/node-types/approval.js';
import type { LaneGate } from './map-items.js';

/** What a node executor is given: the node, its evaluated config, and the run around it. */
export interface NodeRunContext {
  runId: string;
  template: Template;
  node: TemplateNode;
  /** The config with expressions evaluated (keys evaluated per item, such as a map's `node`, left as written). */
  config: unknown;
  activityOptions: ActivityOptions;
  /** The node's attempt as the interpreter counts it (operator retries start a new one). */
  attempt: number;
  /** The seq of this attempt's `node.started` event; live-only events from activities follow it. */
  seq: number;
  /** For a map's per-item node: the item's index, which its live progress names. */
  item?: number;
  /** The scope the config was evaluated in; per-item evaluation extends it with `item` and `index`. */
  scope: ExpressionScope;
  /** How many items or nodes may run at once in this run. */
  maxParallel: number;
  /** Marks the node `waiting` (a timer, a person) and emits `node.waiting` with what it waits for. */
  wait: (waitingFor: Record<string, unknown>) => void;
  /** The decision an operator gave this approval node, once given. */
  decision: () => ApprovalOutput | undefined;
  /** Records how many attempts Temporal made (activity retries are Temporal's own). */
  attempts: (count: number) => void;
  /** Above how many bytes of JSON an activity stores its output as a blob, when lower than usual (a map's items). */
  storeAbove?: number;
  /** An operator's pause, for node types that start work of their own (a map's items); none inside a map. */
  gate?: LaneGate;
}

/** Runs one node and resolves with its output; a rejection fails the node. */
export type NodeExecutor = (context: NodeRunContext) => Promise<unknown>;

/** What a node left waiting by the previous execution is given to take up its wait. */
export interface NodeResumeContext {
  node: TemplateNode;
  /** What the node said it waits for as it began to (`node.waiting`): a timer's `until`, an approval's `deadline`. */
  waitingFor: Record<string, unknown>;
  /** The decision an operator gave this approval node, once given. */
  decision: () => ApprovalOutput | undefined;
}

/** A node type as the interpreter runs it. */
export interface NodeRunner {
  run: NodeExecutor;
  /**
   * The output at once, for node types whose work is pure and done inside the workflow: the lean lifecycle
   * (`node-lifecycle.ts`) ends such a node in the pass that starts it, without a promise.
   */
  inline?: (context: NodeRunContext) => unknown;
  /** Top-level config keys evaluated per item by the executor itself, not once by the interpreter. */
  perItem?: readonly string[];
  /**
   * Takes up the wait of a node that was waiting (on a timer, for a decision) when the previous execution
   * continued as new, and resolves with its output as `run` would have. Only types with it are handed over
   * waiting: a run waits for the others to end before it continues as new.
   */
  resume?: (context: NodeResumeContext) => Promise<unknown>;
}
