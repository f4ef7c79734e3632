import { z } from 'zod';
import { durationBoundProblem, durationPattern } from '../duration.js';
import { parseTimestamp } from '../timestamp.js';

/**
 * Config field kinds shared by node types: values that are either a literal of some kind or one `{{ }}`
 * expression that yields it at run time.
 */

const singleExpression = /^\s*\{\{[\s\S]*\}\}\s*$/;

/** True when the whole string is one `{{ }}` expression (so it keeps the value's type). */
export function isSingleExpression(text: string): boolean {
  return singleExpression.test(text) && text.indexOf('{{', text.indexOf('{{') + 2) < 0;
}

/** A string that is exactly one `{{ }}` expression. */
export const expressionField = z.string().refine(isSingleExpression, 'write one {{ }} expression, e.g. "{{ input.items }}"');

/** A duration such as `30s`, or an expression yielding one. */
export const durationOrExpression = z
  .string()
  .refine((s) => durationPattern.test(s) || isSingleExpression(s), 'use a duration such as 500ms, 30s, 5m, 2h or 1d, or one {{ }} expression')
  .superRefine((text, ctx) => {
    // A delay may be 0s: it waits for nothing.
    const problem = durationBoundProblem(text, { zeroAllowed: true });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An ISO 8601 timestamp with a zone (`2025-01-31T09:00:00Z`), or an expression yielding one. */
export const timestampOrExpression = z
  .string()
  .refine(
    (s) => parseTimestamp(s) !== undefined || isSingleExpression(s),
    'use an ISO timestamp with a zone such as 2025-01-31T09:00:00Z, or one {{ }} expression',
  );

/** A list given literally, or an expression yielding one. */
export const listOrExpression = z.union([z.array(z.unknown()), z.string().refine(isSingleExpression, 'use a list, or one {{ }} expression that yields a list')], {
  error: 'use a list, or one {{ }} expression that yields a list',
});

/** Any value at all, but present: `z.unknown()` would let a missing key through. */
export const requiredValue = z.unknown().refine((v) => v !== undefined, 'required');
