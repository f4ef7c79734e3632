import jsonata from 'jsonata';

/**
 * The names an expression can read. `secrets` is absent on purpose: secret values are resolved inside
 * activities only, so that they never enter workflow history.
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

/** An expression that does not parse or fails while evaluating. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(message: string, readonly expression: string, readonly position?: number) {
    super(message);
  }
}

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

const compiled = new Map<string, jsonata.Expression>();

/** Parses a JSONata expression once and keeps it; throws {@link ExpressionError} on a syntax error. */
export function compileExpression(source: string): jsonata.Expression {
  let expression = compiled.get(source);
  if (!expression) {
    if (source === '') throw new ExpressionError('the expression is empty', source);
    try {
      expression = jsonata(source);
    } catch (err) {
      const e = err as { message?: string; position?: number };
      throw new ExpressionError(e.message ?? String(err), source, e.position);
    }
    compiled.set(source, expression);
  }
  return expression;
}

async function evaluateExpression(source: string, scope: ExpressionScope): Promise<unknown> {
  try {
    return await compileExpression(source).evaluate(scope);
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
 */
export async function evaluateValue(value: unknown, scope: ExpressionScope): Promise<unknown> {
  if (typeof value === 'string') {
    if (!hasExpression(value)) return value;
    const segments = splitTemplateString(value);
    // Whitespace around a lone expression (YAML block scalars add a newline) does not make it text.
    const meaningful = segments.filter((s) => s.kind === 'expr' || s.text.trim() !== '');
    const only = meaningful.length === 1 ? meaningful[0] : undefined;
    if (only?.kind === 'expr') return plain(await evaluateExpression(only.source, scope));
    let text = '';
    for (const segment of segments) {
      text += segment.kind === 'text' ? segment.text : asText(plain(await evaluateExpression(segment.source, scope)));
    }
    return text;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await evaluateValue(item, scope));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await evaluateValue(item, scope);
    return out;
  }
  return value;
}
