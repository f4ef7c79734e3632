import { ApplicationFailure, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { eventsQuery, stateQuery } from './definitions.js';
import type { RunInput } from './input.js';
import { RunInterpreter } from './interpreter.js';
import { searchAttributes } from './search-attributes.js';
import type { RunState } from './state.js';

// A local activity records the summary inside the closing workflow task: one marker event, no extra round trip.
const { recordRun } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * The one generic workflow: interprets any template DAG. The workflow id is the run id; the result is the final
 * run state. A failed run fails the workflow too, so the Web UI shows it as failed.
 */
export async function runTemplate(input: RunInput): Promise<RunState> {
  const run = new RunInterpreter(input);
  setHandler(stateQuery, () => run.snapshot());
  setHandler(eventsQuery, (afterSeq) => run.events.after(afterSeq));

  const final = await run.execute();
  upsertSearchAttributes([{ key: searchAttributes.status, value: final.status }]);
  await recordRun({ runId: input.runId, templateId: input.templateId, templateVersion: input.templateVersion, trigger: input.trigger, input: input.input, state: final, events: run.events.all() });
  if (final.status === 'failed') {
    throw ApplicationFailure.create({ type: 'RunFailed', message: final.error?.message ?? 'the run failed', nonRetryable: true, details: [final.error] });
  }
  return final;
}
