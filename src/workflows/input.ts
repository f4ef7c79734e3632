import type { Template } from '../template/model.js';

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
}
