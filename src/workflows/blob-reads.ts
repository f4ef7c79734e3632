import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { evaluateValueNow, type ExpressionScope } from '../template/expressions.js';
import { readsErrors, readsInsideOutputs } from '../template/references.js';
import { change, hasChange } from './revision.js';
import type { RunBook } from './run-book.js';

/**
 * Since this patch an expression that reads inside an output held as a blob reference (`nodes.big.output.body`,
 * `$count(nodes.big.output)`) is evaluated where the stored value can be read, and sees the value; before it,
 * it read the reference's own fields. The patch is asked for only when such an expression is met, so runs
 * without large outputs carry no marker.
 */
export const blobReadsPatch = change('weft-blob-reads', 4);

// A local activity: the scope it is given never enters history, only its answer does (a reference when large).
const { evaluateWithValues } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', nonRetryableErrorTypes: ['ExpressionError', 'BlobMissing'] },
});

/**
 * Since this change an expression reading the error of a node whose error holds a blob reference (an error
 * page too large for history, in its details) sees the stored value; before it, it read the reference's fields.
 */
export const errorBlobReadsChange = change('weft-error-blob-reads', 25);

/**
 * Evaluates a template value of the run: in the workflow, or, when it reads inside a node output (or an error)
 * held as a blob reference, in a local activity that resolves the references first. A promise only when it must
 * wait.
 */
export function evaluateInRun(book: RunBook, value: unknown, scope: ExpressionScope): unknown {
  const readsStored = readsInsideOutputs(value, book.blobbed) || (readsErrors(value, book.blobbedErrors) && hasChange(errorBlobReadsChange));
  if (readsStored && hasChange(blobReadsPatch)) {
    return evaluateWithValues({ runId: book.run.runId, value, scope });
  }
  return evaluateValueNow(value, scope);
}
