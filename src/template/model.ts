import { z } from 'zod';
import { durationBoundProblem, durationPattern } from './duration.js';

/** Ids of templates and nodes: lower-case letters, digits, `-` and `_`, starting with a letter. */
export const idPattern = /^[a-z][a-z0-9_-]{0,63}$/;

export const idSchema = z.string().regex(idPattern, 'use lower-case letters, digits, - and _, starting with a letter (at most 64)');
/**
 * A timeout or an interval, longer than zero: Temporal takes a zero for no setting at all, and an activity
 * without a timeout cannot be scheduled (the run's workflow task would fail on every try).
 */
export const durationSchema = z
  .string()
  .regex(durationPattern, 'use a duration such as 500ms, 30s, 5m, 2h or 1d')
  .superRefine((text, ctx) => {
    const problem = durationBoundProblem(text, { zeroAllowed: false });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Bounds the schema sets on a template's size. */
export const templateSchemaLimits = { maxNodes: 500 } as const;

/** A node's retry policy; unset fields fall back to the template's `defaults.retry`, then to Weft's. */
export const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(1000),
    initialInterval: durationSchema,
    backoffCoefficient: z.number().min(1).max(100),
    maxInterval: durationSchema,
    /** Error types (as activities report them) never retried. */
    nonRetryable: z.array(z.string()),
  })
  .partial()
  .strict();

/** What a node's failure does to the run. */
export const onErrorSchema = z.enum(['fail', 'continue', 'pause']);

/** One node of a template's DAG, in canonical form. Its `config` is checked by its node type. */
export const templateNodeSchema = z
  .object({
    id: idSchema,
    type: z.string().min(1),
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    needs: z.array(idSchema).optional(),
    when: z.string().optional(),
    retry: retryPolicySchema.optional(),
    timeout: durationSchema.optional(),
    heartbeatTimeout: durationSchema.optional(),
    onError: onErrorSchema.optional(),
    config: z.unknown(),
  })
  .strict();

/** How many nodes (and a map's items) run at once where a template does not say (`maxParallel`). */
export const defaultMaxParallel = 10;

/** A template in canonical form: what is stored, versioned and executed. */
export const templateSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(5000).optional(),
    inputSchema: z.record(z.string(), z.unknown()).optional(),
    defaults: z.object({ retry: retryPolicySchema.optional(), timeout: durationSchema.optional(), heartbeatTimeout: durationSchema.optional() }).strict().optional(),
    maxParallel: z.number().int().min(1).max(1000).optional(),
    nodes: z.array(templateNodeSchema).min(1).max(templateSchemaLimits.maxNodes),
    output: z.unknown().optional(),
  })
  .strict();

/** A template in canonical form. */
export type Template = z.infer<typeof templateSchema>;
/** One node of a {@link Template}. */
export type TemplateNode = z.infer<typeof templateNodeSchema>;
/** A node's retry policy. */
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
/** `fail` | `continue` | `pause`. */
export type OnError = z.infer<typeof onErrorSchema>;
