import { z } from 'zod';
import { idSchema } from '../model.js';
import { defineNodeType } from './define.js';
import { requiredValue } from './fields.js';

/** Config of a `subworkflow` node: runs another template as a child run. */
export const subworkflowConfigSchema = z
  .object({
    template: idSchema,
    /** A fixed version; without it, the latest version when the node starts. */
    version: z.number().int().min(1).optional(),
    /** The child run's input; strings may hold expressions. */
    input: requiredValue,
  })
  .strict();

/** A `subworkflow` node's config. */
export type SubworkflowConfig = z.infer<typeof subworkflowConfigSchema>;

/** What a `subworkflow` node outputs: the child run's `output`. */
export type SubworkflowOutput = unknown;

export const subworkflowNode = defineNodeType({
  type: 'subworkflow',
  title: 'Sub-workflow',
  description: 'Runs another template as a child run with the given input and outputs its output; the child failing fails the node.',
  config: subworkflowConfigSchema,
  runsAs: 'workflow',
});
