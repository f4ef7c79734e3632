import { z } from 'zod';
import { defineNodeType } from './define.js';
import { durationOrExpression, timestampOrExpression } from './fields.js';

/** Config of a `delay` node: wait for a `duration`, or `until` a moment; exactly one of the two. */
export const delayConfigSchema = z
  .object({
    duration: durationOrExpression.optional(),
    until: timestampOrExpression.optional(),
  })
  .strict()
  .refine((c) => (c.duration === undefined) !== (c.until === undefined), {
    message: 'give exactly one of duration or until',
  });

/** A `delay` node's config. */
export type DelayConfig = z.infer<typeof delayConfigSchema>;

/** What a `delay` node outputs: when it stopped waiting (ISO timestamp). */
export interface DelayOutput {
  waitedUntil: string;
}

export const delayNode = defineNodeType({
  type: 'delay',
  title: 'Delay',
  description: 'Waits for a duration (30s, 2h, 1d) or until an ISO timestamp, on a durable timer; a moment in the past does not wait.',
  config: delayConfigSchema,
  runsAs: 'workflow',
});
