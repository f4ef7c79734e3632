import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
// A CommonJS module: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import type { NodeState, RunError, RunEvent, RunState } from '../workflows/state.js';

/**
 * How Temporal closed a run whose workflow code never reached its end; `NEVER_STARTED` for a child run whose
 * parent ended without starting it, which Temporal never had.
 */
export interface TemporalClose {
  /** The execution's close status in Temporal, or `NEVER_STARTED`. */
  status: 'TERMINATED' | 'TIMED_OUT' | 'CANCELLED' | 'FAILED' | 'NEVER_STARTED';
  closedAt: Date;
  /** The terminate reason, or the workflow failure's message, when Temporal recorded one; for `NEVER_STARTED`, why. */
  reason?: string;
}

const unfinished: readonly NodeState['status'][] = ['pending', 'running', 'waiting'];

/**
 * Whether Temporal's server ended the run itself for passing one of its limits (its history's size or length),
 * with the reason it gives such a terminate (`Workflow history size exceeds limit.`): a failure, not a cancel.
 */
function passedALimit(close: TemporalClose): boolean {
  return close.status === 'TERMINATED' && /^Workflow [a-z ]+ exceeds limit\.?$/.test(close.reason ?? '');
}

function errorOf(close: TemporalClose): RunError {
  const because = close.reason ? `: ${close.reason}` : '';
  switch (close.status) {
    case 'TERMINATED':
      if (passedALimit(close)) return { type: 'LimitExceeded', message: `Temporal ended the run for passing one of its limits${because}` };
      return { type: 'Terminated', message: `the run was terminated in Temporal${because}` };
    case 'TIMED_OUT':
      return { type: 'TimedOut', message: 'the run exceeded its workflow execution timeout' };
    case 'CANCELLED':
      return { type: 'Cancelled', message: `the run was cancelled in Temporal before it could end itself${because}` };
    case 'FAILED':
      return { type: 'WorkflowFailed', message: `the run's workflow failed before it could end itself${because}` };
    case 'NEVER_STARTED':
      return { type: 'NeverStarted', message: `the run never started: ${close.reason ?? 'the run that was to start it ended first'}, and Temporal has no record of it` };
  }
}

/**
 * Ends a run that Temporal closed from outside (terminated, timed out, cancelled before the interpreter could
 * settle): its last state still says it is going on. It ends as the interpreter would have ended it: every
 * unfinished node `cancelled` with a `node.cancelled` event, then `run.cancelled` (terminated, cancelled) or
 * `run.failed` (timed out, failed, terminated by the server for passing a limit), numbered on from the state's
 * seq so the event log has no gap and still ends with a final event. Readers and the live page replay those
 * events onto the state, so both must agree.
 */
export function endClosedRun(state: RunState, events: RunEvent[], close: TemporalClose): { state: RunState; events: RunEvent[] } {
  const at = close.closedAt.toISOString();
  let seq = state.seq;
  const added: RunEvent[] = [];
  const nodes = state.nodes.map((node) => {
    if (!unfinished.includes(node.status)) return node;
    const { waitingFor: _gone, ...rest } = node;
    added.push({ seq: ++seq, type: 'node.cancelled', nodeId: node.id, at });
    return { ...rest, status: 'cancelled' as const, endedAt: at };
  });
  const error = errorOf(close);
  const cancelled = (close.status === 'TERMINATED' && !passedALimit(close)) || close.status === 'CANCELLED' || close.status === 'NEVER_STARTED';
  added.push(cancelled
    ? { seq: ++seq, type: 'run.cancelled', at, data: { reason: error.message, error } }
    : { seq: ++seq, type: 'run.failed', at, data: { error } });
  const ended: RunState = {
    ...state, status: cancelled ? 'cancelled' : 'failed', progress: 100, nodes, endedAt: at, error, seq, inFlight: [],
  };
  return { state: ended, events: [...events, ...added] };
}

/** A closed execution as visibility lists it or describe answers it: what {@link closeOf} reads. */
export type ClosedExecution = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'closeTime'>;

/** How Temporal closes an execution whose workflow code did not end the run itself. */
const outsideCloses: readonly string[] = ['TERMINATED', 'TIMED_OUT', 'CANCELLED', 'FAILED'] satisfies Array<TemporalClose['status']>;

/** Whether Temporal closed `execution` from outside: a terminate, a timeout, a cancel or failure before the run ended itself. */
export function closedFromOutside(execution: Pick<ClosedExecution, 'status'>): boolean {
  return outsideCloses.includes(execution.status.name);
}

/** How Temporal closed an execution, with the terminate reason or failure message from its close event. */
export async function closeOf(client: Client, execution: ClosedExecution): Promise<TemporalClose> {
  if (!closedFromOutside(execution)) throw new Error(`the workflow closed as ${execution.status.name} but its state says the run is still going on`);
  // One of outsideCloses, as just checked.
  const status = execution.status.name as Exclude<TemporalClose['status'], 'NEVER_STARTED'>;
  const closedAt = execution.closeTime ?? new Date();
  if (status !== 'TERMINATED' && status !== 'FAILED') return { status, closedAt };
  // Only the close event: a run's history can be long.
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: execution.workflowId, runId: execution.runId },
    historyEventFilterType: proto.temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const event = history?.events?.at(-1);
  const reason = event?.workflowExecutionTerminatedEventAttributes?.reason ?? event?.workflowExecutionFailedEventAttributes?.failure?.message;
  return { status, closedAt, ...(reason ? { reason } : {}) };
}
