import { z } from 'zod';
import { durationSchema } from '../model.js';
import { defineNodeType } from './define.js';
import { expressionField } from './fields.js';

/** What an approval node does when its `timeout` passes with no decision. */
export const onTimeoutSchema = z.enum(['approve', 'reject', 'fail']);

/** Config of an `approval` node: a person decides, optionally filling a form described by a JSON Schema. */
export const approvalConfigSchema = z
  .object({
    prompt: z.string().min(1).max(5000),
    /** Who may decide: a list of user names or groups, or one expression yielding such a list. */
    assignees: z.union([z.array(z.string().min(1).max(200)).max(100), expressionField], { error: 'use a list of names, or one {{ }} expression' }).optional(),
    /** A JSON Schema (2020-12) for the form data given with the decision; checked as a schema at upload. */
    formSchema: z.record(z.string(), z.unknown()).optional(),
    timeout: durationSchema.optional(),
    onTimeout: onTimeoutSchema.optional(),
  })
  .strict()
  .refine((c) => c.onTimeout === undefined || c.timeout !== undefined, {
    message: 'onTimeout needs a timeout',
    path: ['onTimeout'],
  });

/** An `approval` node's config. */
export type ApprovalConfig = z.infer<typeof approvalConfigSchema>;

/** A decision as a person submits it (the run's approval update carries this). */
export const approvalDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(5000).optional(),
    /** The form data; checked against the node's `formSchema` when it has one. */
    data: z.unknown().optional(),
  })
  .strict();

/** A decision as submitted. */
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** Who a decision is by when its author does not say (`by` left out): the same in the output and the room's record. */
export const unnamedDecider = 'anonymous';

/**
 * What an `approval` node outputs. On timeout with `onTimeout: approve|reject`, `by` is `"timeout"`; a decision
 * that names no author is by {@link unnamedDecider}.
 * A rejection is an output, not a failure: branch on it with `when: "{{ nodes.x.output.decision = 'approve' }}"`.
 */
export interface ApprovalOutput {
  decision: 'approve' | 'reject';
  by: string;
  comment: string | null;
  data: unknown;
  /** When the decision was made (ISO timestamp). */
  at: string;
}

export const approvalNode = defineNodeType({
  type: 'approval',
  title: 'Approval',
  description: 'Pauses until a person approves or rejects (with an optional comment and form data), or until the timeout decides.',
  config: approvalConfigSchema,
  runsAs: 'workflow',
  embeddedSchemas: (config) => (config.formSchema ? [{ path: ['formSchema'], schema: config.formSchema }] : []),
});
