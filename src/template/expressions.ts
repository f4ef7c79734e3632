import { compileExpression, evaluationBindings, ExpressionError, expressionsKept, workflowEvaluationSteps } from './expression-compile.js';
import { memo } from './memo.js';
import { planFor, unanswered } from './quick-plans.js';

export { activityEvaluationSteps, compileExpression, ExpressionError, truthy, workflowEvaluationSteps } from './expression-compile.js';

/**
 * The names an expression can read. Inside a workflow, `secrets` holds markers rather than values: activities
 * resolve them (src/template/secrets.ts), so secret values never enter workflow history.
 */
export interface ExpressionScope {
  input: unknown;
  nodes: Record<string, { output?: unknown; status: string; error?: unknown }>;
  run: { id: string; templateId: string; version: number; startedAt: string };
  item?: unknown;
  index?: number;
  [name: string]: unknown;
}

/** A piece of a template string: literal text, or the JSONata source between `{{` and `}}`. */
export type Segment = { kind: 'text'; text: string; start: number } | { kind: 'expr'; source: string; start: number };


/** Splits a string into text and `{{ expression }}` segments; an unclosed `{{` is an error. */
export function splitTemplateString(value: string): Segment[] {
  const segments: Segment[] = [];
  let cursor = 0;
  while (cursor < value.length) {
    const open = value.indexOf('{{', cursor);
    if (open < 0) break;
    const close = value.indexOf('}}', open + 2);
    if (close < 0) throw new ExpressionError('"{{" is never closed with "}}"', value, open);
    if (open > cursor) segments.push({ kind: 'text', text: value.slice(cursor, open), start: cursor });
    segments.push({ kind: 'expr', source: value.slice(open + 2, close).trim(), start: open + 2 });
    cursor = close + 2;
  }
  if (cursor < value.length) segments.push({ kind: 'text', text: value.slice(cursor), start: cursor });
  return segments;
}

/** True when the string holds at least one `{{ }}`. */
export function hasExpression(value: string): boolean {
  return value.includes('{{');
}


/**
 * One expression evaluated at once when its quick plan answers (no promise), else by JSONata. The answer is the
 * one JSONata gives: the plan covers only lookups and scalar operations, and hands anything else back.
 */
function evaluateExpressionNow(source: string, scope: ExpressionScope): unknown {
  const plan = planFor(source);
  if (plan) {
    try {
      const value = plan(scope);
      if (value !== unanswered) return value;
    } catch {
      // Left to JSONata, which reports it as it would have.
    }
  }
  return evaluateExpression(source, scope, workflowEvaluationSteps);
}

async function evaluateExpression(source: string, scope: ExpressionScope, steps: number): Promise<unknown> {
  try {
    return await compileExpression(source).evaluate(scope, evaluationBindings(steps));
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(`{{ ${source} }}: ${e.message ?? String(err)}`, source, e.position);
  }
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** JSONata yields arrays with a hidden `sequence` flag and odd prototypes; hand back plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * Evaluates every `{{ }}` in a JSON value. A string that is exactly one expression (whitespace around it
 * aside) keeps the value's type; a mixed string interpolates text, with missing values as `""` and objects as
 * JSON.
 *
 * @example
 * await evaluateValue({ total: '{{ $sum(input.items) }}', label: 'n={{ $count(input.items) }}' }, scope)
 * // { total: 6, label: 'n=3' }
 *
 * Each expression takes at most `steps` steps ({@link workflowEvaluationSteps} unless given: an activity gives
 * {@link activityEvaluationSteps}).
 */
export async function evaluateValue(value: unknown, scope: ExpressionScope, steps: number = workflowEvaluationSteps): Promise<unknown> {
  if (typeof value === 'string') {
    if (!hasExpression(value)) return value;
    const segments = splitTemplateString(value);
    // Whitespace around a lone expression (YAML block scalars add a newline) does not make it text.
    const meaningful = segments.filter((s) => s.kind === 'expr' || s.text.trim() !== '');
    const only = meaningful.length === 1 ? meaningful[0] : undefined;
    if (only?.kind === 'expr') return plain(await evaluateExpression(only.source, scope, steps));
    let text = '';
    for (const segment of segments) {
      text += segment.kind === 'text' ? segment.text : asText(plain(await evaluateExpression(segment.source, scope, steps)));
    }
    return text;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await evaluateValue(item, scope, steps));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await evaluateValue(item, scope, steps);
    return out;
  }
  return value;
}

/** True when a value is still being evaluated (only values with a JSONata expression beyond the quick subset). */
export function isPending(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

const segmentsOf: (value: string) => Segment[] = memo(expressionsKept, splitTemplateString);

function evaluateStringNow(value: string, scope: ExpressionScope): unknown {
  const segments = segmentsOf(value);
  const meaningful = segments.filter((s) => s.kind === 'expr' || s.text.trim() !== '');
  const only = meaningful.length === 1 ? meaningful[0] : undefined;
  if (only?.kind === 'expr') {
    const result = evaluateExpressionNow(only.source, scope);
    return isPending(result) ? result.then(plain) : plain(result);
  }
  let text = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'text') {
      text += segment.text;
      continue;
    }
    const result = evaluateExpressionNow(segment.source, scope);
    if (isPending(result)) return finishText(text, result, segments.slice(i + 1), scope);
    text += asText(plain(result));
  }
  return text;
}

async function finishText(text: string, pending: Promise<unknown>, rest: Segment[], scope: ExpressionScope): Promise<string> {
  let out = text + asText(plain(await pending));
  for (const segment of rest) out += segment.kind === 'text' ? segment.text : asText(plain(await evaluateExpressionNow(segment.source, scope)));
  return out;
}

/** Evaluates `values` in order; once one is pending, the rest follow it, so the first failure in order is reported. */
function evaluateListNow(values: unknown[], scope: ExpressionScope): unknown[] | Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = evaluateValueNow(values[i], scope);
    if (isPending(value)) return finishList(out, value, values, i + 1, scope);
    out.push(value);
  }
  return out;
}

async function finishList(out: unknown[], pending: Promise<unknown>, values: unknown[], from: number, scope: ExpressionScope): Promise<unknown[]> {
  out.push(await pending);
  for (let i = from; i < values.length; i++) out.push(await evaluateValueNow(values[i], scope));
  return out;
}

function objectOf(keys: string[], values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  keys.forEach((key, i) => (out[key] = values[i]));
  return out;
}

/**
 * {@link evaluateValue} without a promise where none is needed: literal values, and expressions that are plain
 * lookups (`nodes.a.output.body.n`, `input.x`) or scalar operations on them, are evaluated at once; a value with
 * any other expression answers with a promise. The result is the one {@link evaluateValue} gives, with the
 * workflow's step budget. Workflow code uses it because every promise made in the sandbox costs the SDK's
 * promise hook a call.
 *
 * @example
 * const config = evaluateValueNow(node.config, scope);
 * const value = isPending(config) ? await config : config;
 */
export function evaluateValueNow(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return hasExpression(value) ? evaluateStringNow(value, scope) : value;
  if (Array.isArray(value)) return evaluateListNow(value, scope);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const keys = entries.map(([key]) => key);
    const values = evaluateListNow(entries.map(([, item]): unknown => item), scope);
    return isPending(values) ? values.then((v) => objectOf(keys, v)) : objectOf(keys, values);
  }
  return value;
}
