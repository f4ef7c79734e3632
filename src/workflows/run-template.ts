import { allHandlersFinished, ApplicationFailure, CancellationScope, CancelledFailure, condition, continueAsNew, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { isPending } from '../template/expressions.js';
import { inputValues } from './child-input.js';
import { installControl } from './control.js';
import { eventPageQuery, eventsQuery, stateQuery } from './definitions.js';
import type { RunInput } from './input.js';
import { RunInterpreter } from './interpreter.js';
import type { Carried } from './carry.js';
import type { RunBook } from './run-book.js';
import { storeCarriedOutputs } from './large-values.js';
import { takeLiveEvents } from './live-events.js';
import { enterDepth } from './lineage.js';
import { change, enterRevision, hasChange } from './revision.js';
import { searchAttributes } from './search-attributes.js';
import { sinks } from './sinks.js';
import type { RunResult } from './state.js';

// Local activities write to the run index inside the workflow task (runs started before the lean lifecycle
// record their close with one; see `sinks.ts` for how later runs do).
const { recordRun, appendRunEvents } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Since this change a run moving on to a new execution also stores the events of waits that end while it
 * stores (a handed-over timer firing during the write): they went into neither the index nor the next
 * execution, leaving a gap in the run's events.
 */
export const renewalLateEventsChange = change('weft-renewal-late-events', 20);

/**
 * Writes the execution's events to the run index, so that reads of older seqs are served from there, and
 * stores what the next execution carries; again while waits that ended meanwhile added events.
 */
async function storeForRenewal(runId: string, book: RunBook): Promise<Carried> {
  for (let stored = 0; ;) {
    const events = book.events.all();
    if (events.length > stored) {
      await appendRunEvents({ runId, events: events.slice(stored) });
      stored = events.length;
      continue;
    }
    const carried = book.carry();
    await storeCarriedOutputs(runId, carried.nodes);
    if (book.events.all().length === stored) return carried;
  }
}

/** {@link storeForRenewal} as runs started before {@link renewalLateEventsChange} do it. */
async function storeForRenewalBeforeLateEvents(runId: string, book: RunBook): Promise<Carried> {
  await appendRunEvents({ runId, events: book.events.all() });
  const carried = book.carry();
  await storeCarriedOutputs(runId, carried.nodes);
  return carried;
}

/**
 * The one generic workflow: interprets any template DAG. The workflow id is the run id; the result is the run's
 * {@link RunResult}. A failed run fails the workflow too, so the Web UI shows it as failed; a run cancelled
 * through Temporal (or by its parent) ends cancelled.
 */
export async function runTemplate(given: RunInput): Promise<RunResult> {
  enterRevision(given.revision);
  enterDepth(given.depth);
  const values = inputValues(given);
  const input = isPending(values) ? await values : values;
  const run = new RunInterpreter(input);
  const { book } = run;
  setHandler(stateQuery, (options) => book.snapshot(options));
  setHandler(eventsQuery, (afterSeq) => book.events.after(afterSeq));
  setHandler(eventPageQuery, (afterSeq) => book.events.page(afterSeq));
  installControl(run);

  const end = await run.execute();
  if (end === 'continue-as-new') {
    // From here on the run takes no command: what one changed would reach neither the index nor the next execution.
    book.renewing = true;
    const carried = hasChange(renewalLateEventsChange) ? await storeForRenewal(input.runId, book) : await storeForRenewalBeforeLateEvents(input.runId, book);
    // The input goes on as it was given: a child's references are smaller than the values they stand for.
    return continueAsNew<typeof runTemplate>({ ...given, carried });
  }
  const final = book.snapshot({ wholeOutput: true });
  upsertSearchAttributes([{ key: searchAttributes.status, value: final.status }]);
  const summary = { runId: input.runId, templateId: input.templateId, templateVersion: input.templateVersion, trigger: input.trigger, input: input.input, state: final, events: book.events.all() };
  if (run.lean) {
    sinks.runIndex.record(summary, takeLiveEvents());
    if (!allHandlersFinished()) await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  } else {
    // Recorded even when the workflow itself is being cancelled: no run may be missing from the index.
    await CancellationScope.nonCancellable(async () => {
      await recordRun(summary);
      await condition(allHandlersFinished);
    });
  }
  if (end === 'cancelled-from-outside') throw new CancelledFailure('the run was cancelled');
  if (final.status === 'failed') {
    throw ApplicationFailure.create({ type: 'RunFailed', message: final.error?.message ?? 'the run failed', nonRetryable: true, details: [final.error] });
  }
  return { runId: final.runId, status: final.status, output: final.output };
}
