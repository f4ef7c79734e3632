import type { Template } from '../template/model.js';
import type { Carried } from './carry.js';

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
  /**
   * The run's output is stored as a blob when its JSON is larger than this: `blobThresholdBytes` unless given. A
   * map gives its per-item child runs less, as their outputs share one history.
   */
  outputBlobThreshold?: number;
  /** Present after a continue-as-new: the state the previous execution handed over. */
  carried?: Carried;
  /**
   * Continue-as-new after this many events in one execution, besides when Temporal suggests it. For tests and
   * operators who want short histories; unset in normal runs.
   */
  continueAsNewAfterEvents?: number;
}
