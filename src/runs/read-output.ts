import { WorkflowNotFoundError } from '@temporalio/client';
import { resolveRefs } from '../activities/blobs.js';
import { getNodeOutputEvent, getRun } from '../db/runs.js';
import { conflict, notFound } from '../errors.js';
import { nodeOutputQuery, stateQuery } from '../workflows/definitions.js';
import { terminalRunStatuses, type RunStatus } from '../workflows/state.js';
import type { RunReaderDeps } from './read-run.js';
import { notRunYet, unstartedRun } from './unstarted-run.js';

/** A value with every blob reference in it resolved: the whole of what was produced. */
function resolved(deps: RunReaderDeps, value: unknown): Promise<unknown> {
  return resolveRefs(deps.db, value, (ref) => notFound(`blob "${ref.$ref}"`));
}

/**
 * A node's whole output: neither truncated (as run state shows large values) nor a blob reference. From the
 * workflow while the run is open, from the run's events once it has closed; `null` when the node has none.
 */
export async function readNodeOutput(deps: RunReaderDeps, runId: string, nodeId: string): Promise<unknown> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (terminalRunStatuses.includes(row.status as RunStatus) && row.state !== null) {
    if (!(row.state as { nodes: Array<{ id: string }> }).nodes.some((n) => n.id === nodeId)) throw notFound(`node "${nodeId}" of run "${runId}"`);
    const event = await getNodeOutputEvent(deps.db, runId, nodeId);
    return resolved(deps, (event?.data as { output?: unknown } | undefined)?.output ?? null);
  }
  try {
    const handle = deps.client.workflow.getHandle(runId);
    const state = await handle.query(stateQuery);
    if (!state.nodes.some((n) => n.id === nodeId)) throw notFound(`node "${nodeId}" of run "${runId}"`);
    return resolved(deps, (await handle.query(nodeOutputQuery, nodeId)) ?? null);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`run "${runId}"`);
    // No workflow task has completed: no node has run, so none has an output yet.
    if (notRunYet(err)) {
      if (!(await unstartedRun(deps, row)).state.nodes.some((n) => n.id === nodeId)) throw notFound(`node "${nodeId}" of run "${runId}"`);
      return null;
    }
    throw err;
  }
}

/** A closed run's whole output (a blob reference resolved); a run still open has none yet. */
export async function readRunOutput(deps: RunReaderDeps, runId: string): Promise<unknown> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (!terminalRunStatuses.includes(row.status as RunStatus) || row.state === null) throw conflict(`the run is ${row.status}: it has no output yet`);
  return resolved(deps, row.output ?? null);
}
