import { condition } from '@temporalio/workflow';
import { parseDuration } from '../../template/duration.js';
import type { ApprovalConfig, ApprovalOutput } from '../../template/node-types/approval.js';
import { nodeFailure } from '../failures.js';
import type { NodeExecutor, NodeResumeContext } from './types.js';

/** The output of an approval whose timeout passed with no decision, or its failure. */
function timedOut(onTimeout: ApprovalConfig['onTimeout'], what: string): ApprovalOutput {
  if ((onTimeout ?? 'fail') === 'fail') throw nodeFailure('ApprovalTimedOut', `no decision ${what}`);
  return { decision: onTimeout as 'approve' | 'reject', by: 'timeout', comment: null, data: null, at: new Date().toISOString() };
}

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
    return timedOut(c.onTimeout, `within ${c.timeout}`);
  }
  return decision();
};

/** Takes up an approval handed over by the previous execution: it waits on, until its `deadline` if it has one. */
export async function resumeApprovalNode({ waitingFor, decision }: NodeResumeContext): Promise<ApprovalOutput | undefined> {
  const deadline = typeof waitingFor.deadline === 'string' ? Date.parse(waitingFor.deadline) : undefined;
  if (deadline === undefined) {
    await condition(() => decision() !== undefined);
    return decision();
  }
  const left = deadline - Date.now();
  if (decision() === undefined && (left <= 0 || !(await condition(() => decision() !== undefined, left)))) {
    return timedOut(waitingFor.onTimeout as ApprovalConfig['onTimeout'], `by ${String(waitingFor.deadline)}`);
  }
  return decision();
}
