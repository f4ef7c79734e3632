import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { RunRow } from '../db/schema.js';
import { getTemplateVersion } from '../db/templates.js';
import { initialRunState } from '../workflows/initial-state.js';
import type { RunEvent, RunState } from '../workflows/state.js';
import { closeOf, endClosedRun } from './closed-by-temporal.js';

// gRPC's FAILED_PRECONDITION: Temporal's answer to a query of an execution no workflow task has completed for,
// and to one no worker polls for.
const failedPrecondition = 9;
// gRPC's DEADLINE_EXCEEDED: no worker took the query in time (the server's wait, or the reader's deadline).
const deadlineExceeded = 4;

/** The gRPC error under a failed Temporal call, if there is one. */
function grpcCause(err: unknown) {
  const cause = err instanceof Error ? err.cause : undefined;
  return isGrpcServiceError(cause) ? cause : undefined;
}

/**
 * True when a query of a run found no worker to answer it: none polls the run's task queue ("no poller seen"),
 * or none took it before the deadline. The run's state is then unknown, whatever it is: it lives in the workflow.
 */
export function noWorkerAnswered(err: unknown): boolean {
  const cause = grpcCause(err);
  if (!cause) return false;
  return (cause.code as number) === deadlineExceeded || ((cause.code as number) === failedPrecondition && /no poller/i.test(cause.details));
}

/**
 * True when a query of a run failed because no workflow task of it has completed, so nothing its code did is
 * recorded: Temporal has not scheduled the first task yet (a start delay), or closed the run before a worker
 * completed one (a terminate while no worker was up, or while every try of the first task failed).
 */
export function notRunYet(err: unknown): boolean {
  const cause = grpcCause(err);
  return cause !== undefined && (cause.code as number) === failedPrecondition && !noWorkerAnswered(err);
}

/** The state a run starts in, from the template version its row names: every node pending, no event yet. */
export async function startingState(db: Db, row: RunRow): Promise<RunState> {
  const template = await getTemplateVersion(db, row.templateId, row.templateVersion);
  if (!template) throw new Error(`run ${row.id}: its template "${row.templateId}" version ${row.templateVersion} is not stored`);
  return initialRunState({
    runId: row.id, templateId: row.templateId, templateVersion: row.templateVersion, startedAt: row.startedAt.toISOString(), nodes: template.definition.nodes,
  });
}

/**
 * What a run none of whose workflow tasks completed amounts to now: its {@link startingState} while it is open;
 * once Temporal has closed it, ended as the interpreter ends such runs ({@link endClosedRun}), with the events
 * that ending adds.
 */
export async function unstartedRun(deps: { db: Db; client: Client }, row: RunRow): Promise<{ state: RunState; events: RunEvent[] }> {
  const state = await startingState(deps.db, row);
  const latest = await deps.client.workflow.getHandle(row.id).describe();
  if (latest.status.name === 'RUNNING') return { state, events: [] };
  return endClosedRun(state, [], await closeOf(deps.client, latest));
}
