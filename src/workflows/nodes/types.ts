import type { ActivityOptions } from '@temporalio/workflow';
import type { TemplateNode } from '../../template/model.js';

/** What a node executor is given: the node, its evaluated config, and the activity options its policy maps to. */
export interface NodeRunContext {
  runId: string;
  node: TemplateNode;
  config: unknown;
  activityOptions: ActivityOptions;
}

/** Runs one node and resolves with its output; a rejection fails the node. */
export type NodeExecutor = (context: NodeRunContext) => Promise<unknown>;
