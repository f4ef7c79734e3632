import { WorkflowNotFoundError, WorkflowUpdateFailedError, ApplicationFailure } from '@temporalio/client';
import { jsonBytes, storeValue } from '../activities/blobs.js';
import { deleteBlob, getRun } from '../db/runs.js';
import { getTemplateVersion } from '../db/templates.js';
import { conflict, invalid, notFound, WeftError } from '../errors.js';
import type { ApprovalDecision } from '../template/node-types/approval.js';
import type { Template } from '../template/model.js';
import { validateTemplate } from '../template/validate.js';
import { blobIdOf, blobThresholdBytes, isBlobRef, jsonSize, payloadLimitBytes } from '../workflows/blob-ref.js';
import {
  approveUpdate, cancelUpdate, controlFailureTypes, pauseUpdate, resumeUpdate, retryNodeUpdate, skipNodeUpdate, stateQuery,
} from '../workflows/definitions.js';
import { terminalRunStatuses, type RunState, type RunStatus } from '../workflows/state.js';
import { checkAgainstSchema } from './input-validator.js';
import { askWorkflow, readRunState, type RunReaderDeps } from './read-run.js';
import { notRunYet } from './unstarted-run.js';
import { depthProblem } from '../template/value-depth.js';

/** An operator command on a run, as the API receives it. */
export type RunCommand =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'cancel'; reason?: string }
  | { kind: 'retry'; nodeId: string; config?: unknown }
  | { kind: 'skip'; nodeId: string; output?: unknown }
  | ({ kind: 'approve'; nodeId: string; by?: string } & ApprovalDecision);

/** What the run's workflow said no with, as a Weft error: unknown node → not found, wrong state → conflict. */
function fromUpdateFailure(err: WorkflowUpdateFailedError): WeftError {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === controlFailureTypes.notFound) return new WeftError('not-found', cause.message);
  if (cause instanceof ApplicationFailure && cause.type === controlFailureTypes.conflict) return conflict(cause.message);
  return conflict(cause?.message ?? err.message);
}

/** The run's template version and where node `nodeId` stands in it (-1: nowhere); undefined when the version is not stored. */
async function nodeInTemplate(deps: RunReaderDeps, row: { templateId: string; templateVersion: number }, nodeId: string): Promise<{ template: Template; index: number } | undefined> {
  const stored = await getTemplateVersion(deps.db, row.templateId, row.templateVersion);
  return stored && { template: stored.definition, index: stored.definition.nodes.findIndex((n) => n.id === nodeId) };
}

/**
 * A retry's new config, checked as an upload checks the node's (the rest of the run's template version as it
 * is: expressions, names in scope, what a map may run per item) and given as the workflow runs an uploaded one,
 * with its node type's defaults filled in.
 */
function retryConfig(template: Template, index: number, config: unknown): unknown {
  const result = validateTemplate({ ...template, nodes: template.nodes.map((n, i) => (i === index ? { ...n, config } : n)) });
  if (result.ok) return result.template.nodes[index]!.config;
  // The rest of the template passed when it was uploaded: the problems are the config's, named from it.
  const prefix = `nodes[${index}].config`;
  const errors = result.errors.map(({ path, message }) => ({ path: path.startsWith(prefix) ? `config${path.slice(prefix.length)}` : path, message }));
  throw invalid(`the config does not suit the ${template.nodes[index]!.type} node`, errors);
}

/**
 * Checks what the workflow cannot: a retry's new config as an upload would (and fills in its defaults), approval
 * data against the form. Answers with the command to send.
 */
async function checkCommand(deps: RunReaderDeps, runId: string, row: { templateId: string; templateVersion: number }, command: RunCommand): Promise<RunCommand> {
  if (command.kind === 'retry' && command.config !== undefined) {
    const found = await nodeInTemplate(deps, row, command.nodeId);
    if (!found || found.index < 0) throw notFound(`node "${command.nodeId}" of run "${runId}"`);
    return { ...command, config: retryConfig(found.template, found.index, command.config) };
  }
  if (command.kind === 'approve') {
    const state = await askWorkflow(deps, runId, () => deps.client.workflow.getHandle(runId).query(stateQuery));
    const node = state.nodes.find((n) => n.id === command.nodeId);
    const formSchema = node?.waitingFor?.formSchema as Record<string, unknown> | undefined;
    // A rejection need not fill in the form (its fields are what an approval goes on with); data sent with one is
    // checked all the same.
    const checked = command.decision === 'approve' || command.data !== undefined;
    const problems = formSchema && checked ? checkAgainstSchema(formSchema, command.data ?? {}, 'data') : [];
    if (problems.length > 0) throw invalid('the form data does not match the approval\'s formSchema', problems);
  }
  return command;
}

/** The value a command carries (a retry's config, a skip's output, approval data), by the field that holds it. */
function carried(command: RunCommand): [field: string, value: unknown] | [] {
  return command.kind === 'retry' ? ['config', command.config] : command.kind === 'skip' ? ['output', command.output] : command.kind === 'approve' ? ['data', command.data] : [];
}

/** Refuses a command whose value nests too deeply to handle. */
function refuseTooDeep(command: RunCommand): void {
  const [field, value] = carried(command);
  const deep = field === undefined ? undefined : depthProblem(value, field);
  if (deep) throw invalid(`the command's ${field} nests too deeply`, [deep]);
}

/**
 * A command as it can travel through history: a skip's output over the blob threshold is stored and given by
 * reference (dependents read it as any stored output); a retry config or approval data past Temporal's payload
 * limit is refused.
 */
async function fitForHistory(deps: RunReaderDeps, runId: string, command: RunCommand): Promise<RunCommand> {
  if (command.kind === 'skip' && command.output !== undefined && jsonSize(command.output) > blobThresholdBytes) {
    return { ...command, output: await storeValue(deps.db, runId, command.output) };
  }
  // A skip's output under the blob threshold is far under the limit.
  const [field, value] = command.kind === 'skip' ? [] : carried(command);
  const size = field === undefined ? 0 : jsonBytes(value);
  if (field !== undefined && size > payloadLimitBytes) {
    throw new WeftError('payload-too-large', `the command is too large for the run's history`, [{ path: field, message: `${size} bytes; a command carries at most ${payloadLimitBytes}` }]);
  }
  return command;
}

/**
 * Applies an operator command through the run's update and answers with the run's state as it is once the
 * command is applied, outputs included (read like `GET /runs/:runId`: the update's own answer leaves them out).
 * A finished run answers 409 before anything is sent; the workflow's validator answers the rest (404 for an
 * unknown node, 409 for a command that makes no sense now).
 */
export async function controlRun(deps: RunReaderDeps, runId: string, given: RunCommand): Promise<RunState> {
  await applyCommand(deps, runId, given);
  return readRunState(deps, runId);
}

/** Sends a command as the run's update, once it is checked; resolves when the workflow has applied it. */
async function applyCommand(deps: RunReaderDeps, runId: string, given: RunCommand): Promise<RunState> {
  const row = await getRun(deps.db, runId);
  if (!row) throw notFound(`run "${runId}"`);
  const ended = (status: string | undefined) => conflict(`the run has ended${status ? ` (${status})` : ''}: it takes no more commands`);
  if (terminalRunStatuses.includes(row.status as RunStatus)) {
    // A node the run never had is unknown, ended or not.
    if ('nodeId' in given && (await nodeInTemplate(deps, row, given.nodeId))?.index === -1) throw notFound(`node "${given.nodeId}" of run "${runId}"`);
    throw ended(row.status);
  }
  const handle = deps.client.workflow.getHandle(runId);
  let command: RunCommand | undefined;
  try {
    // Sizes first, as an upload's: a value too large for history is a 413 whatever else is wrong with it. Depth
    // before that: measuring a size walks the value.
    refuseTooDeep(given);
    command = await checkCommand(deps, runId, row, await fitForHistory(deps, runId, given));
    switch (command.kind) {
      case 'pause': return await handle.executeUpdate(pauseUpdate);
      case 'resume': return await handle.executeUpdate(resumeUpdate);
      case 'cancel': return await handle.executeUpdate(cancelUpdate, { args: [{ reason: command.reason }] });
      case 'retry': return await handle.executeUpdate(retryNodeUpdate, { args: [{ nodeId: command.nodeId, config: command.config }] });
      case 'skip': return await handle.executeUpdate(skipNodeUpdate, { args: [{ nodeId: command.nodeId, output: command.output }] });
      case 'approve': {
        const { kind: _kind, ...decision } = command;
        return await handle.executeUpdate(approveUpdate, { args: [decision] });
      }
    }
  } catch (err) {
    const refused = err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError;
    // A refused command's stored output is referred to by nothing. After any other failure the update may still
    // have been applied, so the blob stays; and if removing it fails, it stays too.
    if (refused && command?.kind === 'skip' && command !== given && isBlobRef(command.output)) {
      await deleteBlob(deps.db, blobIdOf(command.output)).catch(() => undefined);
    }
    if (err instanceof WorkflowUpdateFailedError) throw fromUpdateFailure(err);
    // The workflow closed between the index read and the update; the index may not say how yet.
    if (err instanceof WorkflowNotFoundError) throw ended(await readRunState(deps, runId).then((s) => (terminalRunStatuses.includes(s.status) ? s.status : undefined), () => undefined));
    // Its state was asked for (an approval's form) before a worker has run any of it: nothing waits for a decision.
    if (notRunYet(err)) throw conflict('the run has not started yet: no worker has run its first step');
    throw err;
  }
}
