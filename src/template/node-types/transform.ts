import { z } from 'zod';
import { defineNodeType } from './define.js';
import { requiredValue } from './fields.js';

/** Config of a `transform` node: any JSON whose strings may hold expressions. */
export const transformConfigSchema = z.object({ value: requiredValue }).strict();

/** A `transform` node's config. */
export type TransformConfig = z.infer<typeof transformConfigSchema>;

/** What a `transform` node outputs: `value`, evaluated. */
export type TransformOutput = unknown;

export const transformNode = defineNodeType({
  type: 'transform',
  title: 'Transform',
  description: 'Evaluates `value` (any JSON; strings may hold {{ }} expressions) and outputs the result.',
  config: transformConfigSchema,
  runsAs: 'workflow',
});
