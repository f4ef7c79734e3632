import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { insertChildRun } from '../db/runs.js';
import { getTemplateVersion } from '../db/templates.js';
import { checkRunInput } from '../runs/input-validator.js';
import type { Template } from '../template/model.js';
import { payloadLimitBytes } from '../workflows/blob-ref.js';
import { jsonBytes, resolveRefs } from './blobs.js';

/** A child run the interpreter is about to start. */
export interface ChildRunPreparation {
  runId: string;
  parentRunId: string;
  templateId: string;
  version?: number;
  input: unknown;
  startedAt: string;
}

/**
 * Creates the local activity that resolves a child run's template version (the latest when none is pinned),
 * checks the input against its `inputSchema` and its size against Temporal's payload limit, and adds the child
 * to the run index.
 */
export function createPrepareChildRunActivity(db: Db) {
  return async function prepareChildRun(child: ChildRunPreparation): Promise<{ templateId: string; version: number; definition: Template }> {
    const stored = await getTemplateVersion(db, child.templateId, child.version);
    if (!stored) {
      const what = child.version === undefined ? `template "${child.templateId}"` : `version ${child.version} of template "${child.templateId}"`;
      throw ApplicationFailure.nonRetryable(`${what} does not exist`, 'NotFound');
    }
    // An input that holds a parent's stored output is checked as the value the child reads (see `child-input.ts`).
    const input = await resolveRefs(db, child.input);
    const { problems } = checkRunInput(`${stored.templateId}@${stored.version}`, stored.definition.inputSchema, input);
    if (problems.length > 0) {
      throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `the input does not match ${child.templateId}'s inputSchema`, details: [problems] });
    }
    // The child starts with its input and template as one Temporal payload (ids and times aside), which Temporal
    // refuses past its limit by ending the parent run: the node fails instead, and the index gets no row.
    const size = jsonBytes({ input, template: stored.definition }) + 1024;
    if (size > payloadLimitBytes) {
      throw ApplicationFailure.nonRetryable(`the child run's input and template come to about ${size} bytes; a run starts with at most ${payloadLimitBytes}`, 'InputTooLarge');
    }
    await insertChildRun(db, { id: child.runId, parentRunId: child.parentRunId, templateId: stored.templateId, templateVersion: stored.version, input, startedAt: new Date(child.startedAt) });
    return { templateId: stored.templateId, version: stored.version, definition: stored.definition };
  };
}
