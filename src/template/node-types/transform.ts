import { z } from 'zod';
import { defineNodeType } from './define.js';

/** Config of a `transform` node: any JSON whose strings may hold expressions. */
export const transformConfigSchema = z.object({ value: z.unknown() }).strict();

export const transformNode = defineNodeType({
  type: 'transform',
  title: 'Transform',
  description: 'Evaluates `value` (any JSON; strings may hold {{ }} expressions) and outputs the result.',
  config: transformConfigSchema,
  runsAs: 'workflow',
});
