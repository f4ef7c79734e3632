import { workflowInfo } from '@temporalio/workflow';
import { secretsScope } from '../template/secrets.js';
import { needsBlob, type BlobRef } from './blob-ref.js';
import { cutShort } from './failures.js';
import { storeAsBlob } from './large-values.js';
import { enterDepth } from './lineage.js';
import { mapFailFastChange, runItems, type MapWork } from './nodes/map-items.js';
import { change, enterRevision, hasChange } from './revision.js';
import { readStoredItems } from './stored-items.js';

/**
 * Since this patch a batch whose outputs are too large for history stores them and answers with the reference,
 * which the map joins with the other batches' outputs; before it, Temporal refused a result past its payload
 * limit and ended the batch. Asked for only by such batches.
 */
export const batchOutputBlobsPatch = change('weft-batch-output-blobs', 9);

/** One batch of a large map's items, run as a child workflow so the run's own history stays short. */
export interface MapBatchInput {
  work: MapWork;
  /** The batch's items; empty when they are a slice of a stored list (`stored`). */
  items: unknown[];
  /** The items are `count` items of this stored list from `offset` on, read where the batch runs. */
  stored?: { ref: BlobRef; count: number };
  /** The index of the batch's first item in the whole list. */
  offset: number;
  concurrency: number;
  /** The revision of the run whose map this batch runs (`RunInput.revision`). */
  revision?: number;
  /** That run's level (`RunInput.depth`): child runs of the batch's items are its children. */
  depth?: number;
  /** Above how many bytes of JSON the batch stores its outputs (`batchOutputInlineBytes`); the blob threshold without it. */
  outputInlineBytes?: number;
}

/**
 * Since this change a batch reads `secrets` as markers of its own execution, which its activities resolve. Before
 * it, the scope it was given held its parent's markers, which activities run by the batch (another execution)
 * never resolve: the marker itself was sent in place of the secret. Asked for only by batches whose items read
 * secrets.
 */
export const batchSecretsChange = change('weft-batch-secrets', 29);

/** The work with the scope's secret markers made anew for this execution, when it reads any. */
function withOwnSecrets(work: MapWork): MapWork {
  const given = work.scope.secrets;
  if (given === null || typeof given !== 'object' || Object.keys(given).length === 0 || !hasChange(batchSecretsChange)) return work;
  return { ...work, scope: { ...work.scope, secrets: secretsScope(workflowInfo().runId, Object.keys(given)) } };
}

/** Runs one batch of a map's items and resolves with their outputs in item order, or their stored list. */
export async function runMapBatch(input: MapBatchInput): Promise<unknown[] | BlobRef> {
  enterRevision(input.revision);
  enterDepth(input.depth);
  const { stored } = input;
  const items = stored ? await readStoredItems({ ref: stored.ref, offset: input.offset, count: stored.count }) : input.items;
  const outputs = await runItems(withOwnSecrets(input.work), items, input.offset, input.concurrency).catch((err: unknown) => {
    // Cancelled (its map failed in another batch, or its run was cancelled), the batch ends cancelled, not failed
    // with its first cancelled item.
    throw cutShort(err, mapFailFastChange, 'the batch was cancelled');
  });
  // A reference already (a transform slice stored its outputs) never needs a blob.
  if (!needsBlob(outputs, input.outputInlineBytes) || !hasChange(batchOutputBlobsPatch)) return outputs;
  return storeAsBlob(input.work.runId, outputs) as Promise<BlobRef>;
}
