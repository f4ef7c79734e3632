import { WorkflowNotFoundError } from '@temporalio/client';
import { resolveRefs } from '../activities/blobs.js';
import { getNodeOutputEvent, getRun } from '../db/runs.js';
import { conflict, notFound } from '../errors.js';
import { nodeOutputQuery, stateQuery } from '../workflows/definitions.js';
import { terminalRunStatuses, type NodeStatus, type RunState, type RunStatus } from '../workflows/state.js';
import type { RunReaderDeps } from './read-run.js';
import { notRunYet, unstartedRun } from './unstarted-run.js';

/** A value with every blob reference in it resolved: the whole of what was produced. */
function resolved(deps: RunReaderDeps, value: unknown): Promise<unknown> {
  return resolveRefs(deps.db, value, (ref) => notFound(`blob "${ref.$ref}"`));
}

/**
 * Refuses to read the output of a node that has none: unknown (404), or not completed or skipped (409, saying
 * its status), so that an answer of `null` is always a node's own output.
 */
function checkHasOutput(nodes: ReadonlyArray<{ id: string; status: NodeStatus }>, runId: string, nodeId: string): void {
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) throw notFound(`node "${nodeId}" of run "${runId}"`);
  if (node.status !== 'completed' && node.status !== 'skipped') throw conflict(`node "${nodeId}" is ${node.status}: it has no output${node.status === 'failed' || node.status === 'cancelled' ? '' : ' yet'}`);
}

/**
 * A node's whole output: neither truncated (as run state shows large values) nor a blob reference. From the
 * workflow while the run is open, from the run's events once it has closed. Only a completed or skipped node
 * has one.
 */
export async function readNodeOutput(deps: RunReaderDeps, runId: string, nodeId: string): Promise<unknown> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  if (terminalRunStatuses.includes(row.status as RunStatus) && row.state !== null) {
    checkHasOutput((row.state as RunState).nodes, runId, nodeId);
    const event = await getNodeOutputEvent(deps.db, runId, nodeId);
    return resolved(deps, (event?.data as { output?: unknown } | undefined)?.output ?? null);
  }
  try {
    const handle = deps.client.workflow.getHandle(runId);
    checkHasOutput((await handle.query(stateQuery)).nodes, runId, nodeId);
    return resolved(deps, (await handle.query(nodeOutputQuery, nodeId)) ?? null);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`run "${runId}"`);
    // No workflow task has completed: no node has run, so none has an output yet.
    if (notRunYet(err)) {
      checkHasOutput((await unstartedRun(deps, row)).state.nodes, runId, nodeId);
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
