import type { Db } from '../db/client.js';
import { createHttpActivity } from './http.js';
import { createRecordRunActivity } from './record-run.js';

export type { NodeActivityInput } from './node-input.js';

/** What activities are built from. */
export interface ActivityDependencies {
  db: Db;
  fetch?: typeof fetch;
}

/**
 * Builds every activity from its dependencies, in the worker's entry point. Node activities are named after
 * their node type; the interpreter calls them by that name.
 */
export function createActivities(deps: ActivityDependencies) {
  return {
    http: createHttpActivity(deps.fetch),
    recordRun: createRecordRunActivity(deps.db),
  };
}

/** The activities a worker registers, as the workflow sees them (types only). */
export type Activities = ReturnType<typeof createActivities>;
