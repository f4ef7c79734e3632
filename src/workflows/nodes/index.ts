import { runActivityNode } from './activity.js';
import { resumeApprovalNode, runApprovalNode } from './approval.js';
import { resumeDelayNode, runDelayNode } from './delay.js';
import { runMapNode } from './map.js';
import { runSubworkflowNode } from './subworkflow.js';
import { runTransformNode, transformOutput } from './transform.js';
import type { NodeRunner } from './types.js';

export type { NodeExecutor, NodeResumeContext, NodeRunContext, NodeRunner } from './types.js';

/** Node types that run inside the interpreter itself (timers, updates, children, pure work). */
const workflowRunners: Readonly<Record<string, NodeRunner>> = {
  transform: { run: runTransformNode, inline: transformOutput },
  delay: { run: runDelayNode, resume: resumeDelayNode },
  approval: { run: runApprovalNode, resume: resumeApprovalNode },
  subworkflow: { run: runSubworkflowNode },
  // The per-item node and input are evaluated per item, with `item` and `index` in scope.
  map: { run: runMapNode, perItem: ['node', 'input'] },
};

/** How a node type runs: a workflow-native runner, or else the activity named after the type. */
export function runnerFor(type: string): NodeRunner {
  return Object.hasOwn(workflowRunners, type) ? workflowRunners[type]! : { run: runActivityNode };
}
