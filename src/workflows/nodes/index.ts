import { runActivityNode } from './activity.js';
import { runTransformNode } from './transform.js';
import type { NodeExecutor } from './types.js';

export type { NodeExecutor, NodeRunContext } from './types.js';

/** Node types that run inside the interpreter itself (timers, updates, children, pure work). */
const workflowExecutors: Readonly<Record<string, NodeExecutor>> = {
  transform: runTransformNode,
};

/** The executor of a node type: a workflow-native one, or else the activity named after the type. */
export function executorFor(type: string): NodeExecutor {
  return workflowExecutors[type] ?? runActivityNode;
}
