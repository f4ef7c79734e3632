import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { holdsBlobRef } from './blob-ref.js';
import type { RunInput } from './input.js';
import { change, hasChange } from './revision.js';

/**
 * Since this patch a child run (of a `subworkflow` node, of a map over a template) whose input holds blob
 * references, a parent's output stored for its size and handed on whole, reads the values they stand for as it
 * starts; before it, the child's expressions read the references themselves, and an `inputSchema` refused them.
 * Asked for only by such runs.
 */
export const childInputValuesPatch = change('weft-child-input-values', 12);

// A local activity: the references stay in the child's start event and its parent's history; the values enter
// the child's history once, as this answer (the parent checked they fit in a payload: `prepareChildRun`).
const { resolveStored } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', nonRetryableErrorTypes: ['BlobMissing'] },
});

/**
 * The run's input as its expressions read it: a child's input with its blob references resolved, a promise only
 * then. Only a child's: a run started by a client reads its input as given.
 */
export function inputValues(run: RunInput): RunInput | Promise<RunInput> {
  if (run.parentRunId === undefined || !holdsBlobRef(run.input) || !hasChange(childInputValuesPatch)) return run;
  return resolveStored({ value: run.input }).then((input) => ({ ...run, input }));
}
