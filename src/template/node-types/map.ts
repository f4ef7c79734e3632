import { z } from 'zod';
import { idSchema } from '../model.js';
import { defineNodeType } from './define.js';
import { listOrExpression } from './fields.js';

/** The node a `map` runs once per item: a node type and its config, checked against that type. */
export const innerNodeSchema = z
  .object({
    type: z.string().min(1),
    config: z.unknown().optional(),
  })
  .strict();

/**
 * Config of a `map` node: for each of `items`, run either an inner `node` or a child run of `template`
 * (whose input is `input`, the item itself by default). Exactly one of `node` and `template`.
 */
export const mapConfigSchema = z
  .object({
    items: listOrExpression,
    /** How many items run at once (at most the template's `maxParallel`). */
    concurrency: z.number().int().min(1).max(1000).optional(),
    node: innerNodeSchema.optional(),
    template: idSchema.optional(),
    version: z.number().int().min(1).optional(),
    input: z.unknown().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.node === undefined) === (c.template === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of node or template' });
    }
    if (c.node !== undefined) {
      for (const key of ['version', 'input'] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} goes with template, not with node` });
      }
    }
  });

/** A `map` node's config. */
export type MapConfig = z.infer<typeof mapConfigSchema>;

/** What a `map` node outputs: one result per item, in item order. */
export type MapOutput = unknown[];

export const mapNode = defineNodeType({
  type: 'map',
  title: 'Map',
  description:
    'Runs a node (or a child run of a template) once per item, `concurrency` at a time, with `item` and `index` in scope; outputs the results in item order. One item failing fails the map.',
  config: mapConfigSchema,
  runsAs: 'workflow',
  perItem: ['node', 'input'],
  innerNodes: (config) => (config.node ? [{ path: ['node'], node: config.node }] : []),
});
