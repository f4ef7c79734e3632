import type { Db } from '../db/client.js';
import { createResolveStoredActivity, createStoreBlobActivity } from './blobs.js';
import { createPrepareChildRunActivity } from './child-runs.js';
import { createEvaluateItemsActivity } from './evaluate-items.js';
import { createEvaluateWithValuesActivity } from './evaluate-with-values.js';
import { createHttpActivity } from './http.js';
import type { LivePublisher } from './progress.js';
import { createAppendRunEventsActivity, createRecordRunActivity } from './record-run.js';
import { createStoredItemsActivities } from './stored-items.js';

export type { NodeActivityInput, NodeActivityResult } from './node-input.js';
export type { LivePublisher } from './progress.js';

/** What activities are built from. */
export interface ActivityDependencies {
  db: Db;
  fetch?: typeof fetch;
  /** Where live-only events (`node.progress`) go; without it they are not published. */
  publish?: LivePublisher;
  /** Secret values by name, for `{{ secrets.<name> }}` in activity node configs. */
  secrets?: Readonly<Record<string, string>>;
}

/**
 * Builds every activity from its dependencies, in the worker's entry point. Node activities are named after
 * their node type; the interpreter calls them by that name.
 */
export function createActivities(deps: ActivityDependencies) {
  return {
    http: createHttpActivity(deps),
    recordRun: createRecordRunActivity(deps.db),
    appendRunEvents: createAppendRunEventsActivity(deps.db),
    storeBlob: createStoreBlobActivity(deps.db),
    resolveStored: createResolveStoredActivity(deps.db),
    prepareChildRun: createPrepareChildRunActivity(deps.db),
    evaluateItems: createEvaluateItemsActivity(deps.db),
    evaluateWithValues: createEvaluateWithValuesActivity(deps.db),
    ...createStoredItemsActivities(deps.db),
  };
}

/** The activities a worker registers, as the workflow sees them (types only). */
export type Activities = ReturnType<typeof createActivities>;
