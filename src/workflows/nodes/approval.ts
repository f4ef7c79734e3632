import { condition } from '@temporalio/workflow';
import { parseDuration } from '../../template/duration.js';
import type { ApprovalConfig, ApprovalOutput } from '../../template/node-types/approval.js';
import { nodeFailure } from '../failures.js';
import type { NodeExecutor } from './types.js';

/**
 * An `approval` node waits until the `approve` update brings a decision, or its timeout passes (then
 * `onTimeout` decides: approve, reject, or fail the node). Its output is the decision; a rejection is an output.
 * The form data was checked against `formSchema` before the update reached the run.
 */
export const runApprovalNode: NodeExecutor = async ({ config, wait, decision }) => {
  const c = config as ApprovalConfig;
  const timeoutMs = c.timeout === undefined ? undefined : parseDuration(c.timeout);
  wait({
    kind: 'approval',
    prompt: c.prompt,
    ...(c.assignees !== undefined ? { assignees: c.assignees } : {}),
    ...(c.formSchema !== undefined ? { formSchema: c.formSchema } : {}),
    ...(timeoutMs !== undefined ? { deadline: new Date(Date.now() + timeoutMs).toISOString(), onTimeout: c.onTimeout ?? 'fail' } : {}),
  });
  if (timeoutMs === undefined) {
    await condition(() => decision() !== undefined);
  } else if (!(await condition(() => decision() !== undefined, timeoutMs))) {
    const onTimeout = c.onTimeout ?? 'fail';
    if (onTimeout === 'fail') throw nodeFailure('ApprovalTimedOut', `no decision within ${c.timeout}`);
    return { decision: onTimeout, by: 'timeout', comment: null, data: null, at: new Date().toISOString() } satisfies ApprovalOutput;
  }
  return decision();
};
