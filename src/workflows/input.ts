import type { Template } from '../template/model.js';
import type { Carried } from './carry.js';
import { latestRevision } from './revision.js';

/** How a run was started. */
export type RunTrigger = 'api' | 'schedule' | 'webhook' | 'event' | 'subworkflow';

/**
 * The interpreter's argument. The template definition travels with the run, so later uploads of the same
 * template never change a run that is under way.
 */
export interface RunInput {
  runId: string;
  templateId: string;
  templateVersion: number;
  template: Template;
  input: unknown;
  trigger: RunTrigger;
  startedAt: string;
  /** The run that started this one as a child (sub-workflow or map item). */
  parentRunId?: string;
  /** How many runs this one sits under (`lineage.ts`): unset for a top-level run, 1 for its children, and so on. */
  depth?: number;
  /**
   * The run's output is stored as a blob when its JSON is larger than this: `blobThresholdBytes` unless given. A
   * map gives its per-item child runs less, as their outputs share one history.
   */
  outputBlobThreshold?: number;
  /**
   * The interpreter revision the run was started on (`revision.ts`): it has every change up to it without asking
   * `patched()`. Unset in runs started before revisions. Child runs and map batches run on their parent's.
   */
  revision?: number;
  /** Present after a continue-as-new: the state the previous execution handed over. */
  carried?: Carried;
  /**
   * Continue-as-new after this many events in one execution, besides when Temporal suggests it. For tests and
   * operators who want short histories; unset in normal runs.
   */
  continueAsNewAfterEvents?: number;
}

/** The input of a run started now, outside any run (by the API, a trigger): it runs on the latest revision. */
export function newRunInput(fields: Omit<RunInput, 'revision'>): RunInput {
  return { ...fields, revision: latestRevision };
}
