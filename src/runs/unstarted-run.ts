import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { RunRow } from '../db/schema.js';
import { getTemplateVersion } from '../db/templates.js';
import { initialRunState } from '../workflows/initial-state.js';
import type { RunEvent, RunState } from '../workflows/state.js';
import { closeOf, endClosedRun, type ClosedExecution } from './closed-by-temporal.js';

// gRPC's FAILED_PRECONDITION: Temporal's answer to a query of an execution no workflow task has completed for.
const failedPrecondition = 9;

/**
 * True when a query of a run failed because no workflow task of it has completed, so nothing its code did is
 * recorded: Temporal has not scheduled the first task yet (a start delay), or closed the run before a worker
 * completed one (a terminate while no worker was up, or while every try of the first task failed).
 */
export function notRunYet(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return isGrpcServiceError(cause) && (cause.code as number) === failedPrecondition;
}

/**
 * What a run none of whose workflow tasks completed amounts to: its template's nodes, all pending, while it is open;
 * once Temporal has closed it, ended as the interpreter ends such runs ({@link endClosedRun}), with the events
 * that ending adds. `execution` is the closed execution when the caller has listed it; otherwise the run's
 * latest execution is described.
 */
export async function unstartedRun(deps: { db: Db; client: Client }, row: RunRow, execution?: ClosedExecution): Promise<{ state: RunState; events: RunEvent[] }> {
  const template = await getTemplateVersion(deps.db, row.templateId, row.templateVersion);
  if (!template) throw new Error(`run ${row.id}: its template "${row.templateId}" version ${row.templateVersion} is not stored`);
  const state = initialRunState({
    runId: row.id, templateId: row.templateId, templateVersion: row.templateVersion, startedAt: row.startedAt.toISOString(), nodes: template.definition.nodes,
  });
  const latest = execution ?? await deps.client.workflow.getHandle(row.id).describe();
  if (latest.status.name === 'RUNNING') return { state, events: [] };
  return endClosedRun(state, [], await closeOf(deps.client, latest));
}
