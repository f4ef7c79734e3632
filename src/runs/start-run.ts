import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { jsonBytes } from '../activities/blobs.js';
import type { Db } from '../db/client.js';
import { deleteRun, getRun, insertRun } from '../db/runs.js';
import type { RunRow } from '../db/schema.js';
import { getTemplate, getTemplateVersion, type StoredTemplateVersion } from '../db/templates.js';
import { conflict, invalid, notFound, WeftError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { payloadLimitBytes } from '../workflows/blob-ref.js';
import { interpreterWorkflowType } from '../workflows/definitions.js';
import { newRunInput, type RunInput, type RunTrigger } from '../workflows/input.js';
import { terminalRunStatuses, type RunStatus } from '../workflows/state.js';
import { startingSearchAttributes } from '../workflows/search-attributes.js';
import { checkRunInput } from './input-validator.js';
import { depthProblem } from '../template/value-depth.js';

/** What starting a run needs. */
export interface RunStarterDeps {
  db: Db;
  temporal: TemporalHandle;
}

/** A run that was started, or that a start with the same run id started before. */
export interface StartedRun {
  runId: string;
  templateId: string;
  templateVersion: number;
  status: RunStatus;
  startedAt: string;
  /** True when a start with this run id came before: this one started nothing new. */
  repeated: boolean;
}

/** What a start asks for. */
export interface StartRequest {
  templateId: string;
  /** The template version; the latest unless given (for a repeated start, the version the run has). */
  version?: number;
  input: unknown;
  trigger: RunTrigger;
  /**
   * The run's id, chosen by the caller so that a start can be sent again safely (its answer was lost, the API
   * stopped midway): a second start with the same id and the same template, version and input starts nothing
   * new and answers with that run, and starts it in Temporal if the first never got that far. A random UUID
   * unless given.
   */
  runId?: string;
  tuning?: Pick<RunInput, 'continueAsNewAfterEvents'>;
}

/**
 * Starts a run of a template version (the latest unless given): checks the input against the version's
 * `inputSchema`, adds the run to the index and starts the interpreter with the definition pinned. The API, and
 * later schedules, webhooks and events, all start runs here.
 */
export async function startRun(deps: RunStarterDeps, request: StartRequest): Promise<StartedRun> {
  const template = await getTemplate(deps.db, request.templateId);
  if (!template) throw notFound(`template "${request.templateId}"`);
  const earlier = request.runId === undefined ? undefined : await getRun(deps.db, request.runId);
  // A start sent again goes on with the run the first one made, archived template or not.
  if (template.archivedAt && !earlier) throw conflict(`template "${request.templateId}" is archived: it starts no new runs`);
  const stored = await getTemplateVersion(deps.db, request.templateId, request.version ?? (earlier?.templateId === request.templateId ? earlier.templateVersion : undefined));
  if (!stored) throw notFound(`version ${request.version} of template "${request.templateId}"`);
  const deep = depthProblem(request.input ?? {}, 'input');
  if (deep) throw invalid('the run input nests too deeply', [deep]);
  const { input, problems } = checkRunInput(`${stored.templateId}@${stored.version}`, stored.definition.inputSchema, request.input ?? {});
  if (problems.length > 0) throw invalid('the run input does not match the template\'s inputSchema', problems);
  if (earlier) return startAgain(deps, earlier, { stored, input, trigger: request.trigger, tuning: request.tuning });

  const runId = request.runId ?? randomUUID();
  const startedAt = new Date();
  const args = newRunInput({
    runId, templateId: stored.templateId, templateVersion: stored.version, template: stored.definition, input,
    trigger: request.trigger, startedAt: startedAt.toISOString(), ...request.tuning,
  });
  // The run starts with its input and its template as one Temporal payload; past the limit Temporal refuses it.
  const size = jsonBytes(args);
  if (size > payloadLimitBytes) {
    const message = `the run's input and template come to ${size} bytes; a run starts with at most ${payloadLimitBytes}`;
    throw new WeftError('payload-too-large', message, [{ path: 'input', message: `${jsonBytes(input)} bytes: pass large data by reference, as a URL a node fetches` }]);
  }
  if (!(await insertRun(deps.db, { id: runId, templateId: stored.templateId, templateVersion: stored.version, trigger: request.trigger, input, startedAt }))) {
    // The same start, sent twice at once: the other one wrote the row first.
    const row = await getRun(deps.db, runId);
    if (row) return startAgain(deps, row, { stored, input, trigger: request.trigger, tuning: request.tuning });
    throw conflict(`run "${runId}" is being started by another request: send it again`);
  }
  try {
    await startWorkflow(deps, stored, args);
  } catch (err) {
    const taken = err instanceof WorkflowExecutionAlreadyStartedError;
    // Unless the same start, sent again while this one ran, started the workflow of this row first.
    if (!taken || !(await startedSince(deps, runId, startedAt))) {
      await deleteRun(deps.db, runId);
      throw taken ? conflict(`run id "${runId}" names a run Temporal has already: choose another`) : err;
    }
  }
  return { runId, templateId: stored.templateId, templateVersion: stored.version, status: 'running', startedAt: args.startedAt, repeated: false };
}

/** Whether Temporal's execution of `runId` started no earlier than `since` (with a second's leeway for clocks). */
async function startedSince(deps: RunStarterDeps, runId: string, since: Date): Promise<boolean> {
  const execution = await deps.temporal.client.workflow.getHandle(runId).describe().catch(() => undefined);
  return execution !== undefined && execution.startTime.getTime() >= since.getTime() - 1_000;
}

/** Starts the interpreter for a run whose row is written. */
async function startWorkflow(deps: RunStarterDeps, stored: StoredTemplateVersion, args: RunInput): Promise<void> {
  await deps.temporal.client.workflow.start(interpreterWorkflowType, {
    workflowId: args.runId,
    taskQueue: deps.temporal.taskQueue,
    args: [args],
    typedSearchAttributes: startingSearchAttributes(args),
    memo: { templateName: stored.definition.name },
    staticSummary: `${stored.definition.name} (${stored.templateId} v${stored.version})`,
    // A run id names one run for good: an execution of it that closed is not started again.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/**
 * A start sent again for a run whose row is written: the same template, version, input and trigger answer with
 * that run (started in Temporal now if the first start never got there); anything else is a 409.
 */
async function startAgain(
  deps: RunStarterDeps, row: RunRow, asked: { stored: StoredTemplateVersion; input: unknown; trigger: RunTrigger; tuning?: StartRequest['tuning'] },
): Promise<StartedRun> {
  const { stored } = asked;
  if (row.templateId !== stored.templateId || row.templateVersion !== stored.version || row.trigger !== asked.trigger || !isDeepStrictEqual(row.input, asked.input)) {
    throw conflict(`run "${row.id}" was started already, with another template, version or input`);
  }
  if (!terminalRunStatuses.includes(row.status as RunStatus)) {
    const args = newRunInput({
      runId: row.id, templateId: stored.templateId, templateVersion: stored.version, template: stored.definition, input: asked.input,
      trigger: asked.trigger, startedAt: row.startedAt.toISOString(), ...asked.tuning,
    });
    await startWorkflow(deps, stored, args).catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  }
  return { runId: row.id, templateId: row.templateId, templateVersion: row.templateVersion, status: row.status as RunStatus, startedAt: row.startedAt.toISOString(), repeated: true };
}
