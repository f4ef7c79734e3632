import type { SubworkflowConfig } from '../../template/node-types/subworkflow.js';
import { childWorkflowId } from '../lineage.js';
import { runChildTemplate } from './child-run.js';
import type { NodeExecutor } from './types.js';

/** A `subworkflow` node runs another template as a child run and outputs the child's output. */
export const runSubworkflowNode: NodeExecutor = ({ runId, node, config, attempt }) => {
  const c = config as SubworkflowConfig;
  return runChildTemplate({
    parentRunId: runId,
    runId: childWorkflowId(runId, node.id, attempt),
    templateId: c.template,
    version: c.version,
    input: c.input,
    summary: `${node.id}: ${c.template}${c.version ? ` v${c.version}` : ''}`,
  });
};
