import { randomUUID } from 'node:crypto';
import { jsonBytes } from '../activities/blobs.js';
import type { Db } from '../db/client.js';
import { deleteRun, insertRun } from '../db/runs.js';
import { getTemplate, getTemplateVersion } from '../db/templates.js';
import { conflict, invalid, notFound, WeftError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { payloadLimitBytes } from '../workflows/blob-ref.js';
import { interpreterWorkflowType } from '../workflows/definitions.js';
import { newRunInput, type RunInput, type RunTrigger } from '../workflows/input.js';
import { startingSearchAttributes } from '../workflows/search-attributes.js';
import { checkRunInput } from './input-validator.js';
import { depthProblem } from '../template/value-depth.js';

/** What starting a run needs. */
export interface RunStarterDeps {
  db: Db;
  temporal: TemporalHandle;
}

/** A run that was started. */
export interface StartedRun {
  runId: string;
  templateId: string;
  templateVersion: number;
  status: 'running';
  startedAt: string;
}

/**
 * Starts a run of a template version (the latest unless given): checks the input against the version's
 * `inputSchema`, adds the run to the index and starts the interpreter with the definition pinned. The API, and
 * later schedules, webhooks and events, all start runs here.
 */
export async function startRun(
  deps: RunStarterDeps,
  request: { templateId: string; version?: number; input: unknown; trigger: RunTrigger; tuning?: Pick<RunInput, 'continueAsNewAfterEvents'> },
): Promise<StartedRun> {
  const template = await getTemplate(deps.db, request.templateId);
  if (!template) throw notFound(`template "${request.templateId}"`);
  if (template.archivedAt) throw conflict(`template "${request.templateId}" is archived: it starts no new runs`);
  const stored = await getTemplateVersion(deps.db, request.templateId, request.version);
  if (!stored) throw notFound(`version ${request.version} of template "${request.templateId}"`);
  const deep = depthProblem(request.input ?? {}, 'input');
  if (deep) throw invalid('the run input nests too deeply', [deep]);
  const { input, problems } = checkRunInput(`${stored.templateId}@${stored.version}`, stored.definition.inputSchema, request.input ?? {});
  if (problems.length > 0) throw invalid('the run input does not match the template\'s inputSchema', problems);

  const runId = randomUUID();
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
  await insertRun(deps.db, { id: runId, templateId: stored.templateId, templateVersion: stored.version, trigger: request.trigger, input, startedAt });
  try {
    await deps.temporal.client.workflow.start(interpreterWorkflowType, {
      workflowId: runId,
      taskQueue: deps.temporal.taskQueue,
      args: [args],
      typedSearchAttributes: startingSearchAttributes(args),
      memo: { templateName: stored.definition.name },
      staticSummary: `${stored.definition.name} (${stored.templateId} v${stored.version})`,
    });
  } catch (err) {
    await deleteRun(deps.db, runId);
    throw err;
  }
  return { runId, templateId: stored.templateId, templateVersion: stored.version, status: 'running', startedAt: args.startedAt };
}
