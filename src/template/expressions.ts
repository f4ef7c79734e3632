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

/** What a quick plan answers when only JSONata itself can answer exactly (an array on a path, a type error). */
const unanswered: unique symbol = Symbol('unanswered');

/** A synchronous evaluation of a JSONata expression, exact where it answers; `unanswered` leaves it to JSONata. */
type QuickPlan = (scope: unknown) => unknown;

type Ast = { type: string; value?: unknown; steps?: Ast[]; lhs?: Ast; rhs?: Ast; expression?: Ast; arguments?: Ast[]; procedure?: Ast };

/** The AST keys of each node type a plan covers; any other key (a predicate, a group, a focus) is JSONata's to run. */
const planShapes: Readonly<Record<string, readonly string[]>> = {
  path: ['type', 'steps'],
  name: ['type', 'value', 'position'],
  string: ['type', 'value', 'position'],
  number: ['type', 'value', 'position'],
  value: ['type', 'value', 'position'],
  binary: ['type', 'value', 'position', 'lhs', 'rhs'],
  unary: ['type', 'value', 'position', 'expression'],
  function: ['type', 'value', 'position', 'arguments', 'procedure'],
  variable: ['type', 'value', 'position'],
};

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const primitive = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** JSONata's effective boolean of a primitive (or undefined); anything else is left to JSONata. */
function truth(v: unknown): boolean | typeof unanswered {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  return finite(v) ? v !== 0 : unanswered;
}

// Arrays JSONata builds while it walks a path (its sequences), apart from arrays that are data.
const sequences = new WeakSet<unknown[]>();
const sequence = (...items: unknown[]): unknown[] => {
  sequences.add(items);
  return items;
};
const isSequence = (value: unknown): boolean => Array.isArray(value) && sequences.has(value);
const isLambda = (value: object): boolean => (value as { _jsonata_function?: unknown })._jsonata_function === true || (value as { _jsonata_lambda?: unknown })._jsonata_lambda === true;

/** JSONata's lookup of a name: own properties of objects, mapped over arrays and flattened one level. */
function lookup(input: unknown, name: string): unknown {
  if (Array.isArray(input)) {
    const out = sequence();
    for (const item of input) {
      const found = lookup(item, name);
      if (Array.isArray(found)) out.push(...(found as unknown[]));
      else if (found !== undefined) out.push(found);
    }
    return out;
  }
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, name) && !isLambda(input)) return (input as Record<string, unknown>)[name];
  return undefined;
}

/** What JSONata makes of a sequence it hands on: nothing when empty, the item itself when alone. */
function unwrap(value: unknown): unknown {
  if (!isSequence(value)) return value;
  const items = value as unknown[];
  return items.length === 0 ? undefined : items.length === 1 ? items[0] : items;
}

/** A path of names, walked step by step as JSONata's `evaluatePath` and `evaluateStep` do. */
function pathPlan(names: string[]): QuickPlan {
  return (scope) => {
    let input: unknown[] = Array.isArray(scope) ? scope : sequence(scope);
    let result: unknown[] = input;
    for (let i = 0; i < names.length; i++) {
      const found = sequence();
      for (const item of input) {
        const value = unwrap(lookup(item, names[i]!));
        if (value !== undefined) found.push(value);
      }
      if (i === names.length - 1 && found.length === 1 && Array.isArray(found[0]) && !isSequence(found[0])) result = found[0] as unknown[];
      else {
        result = sequence();
        for (const value of found) {
          if (Array.isArray(value)) result.push(...(value as unknown[]));
          else result.push(value);
        }
      }
      if (result.length === 0) break;
      input = result;
    }
    return unwrap(result);
  };
}

/** `$sum` and `$count` of one argument, where JSONata's signature check would pass; anything else is JSONata's. */
const functions: Readonly<Record<string, (arg: unknown) => unknown>> = {
  sum: (arg) => {
    if (arg === undefined) return undefined;
    const items = Array.isArray(arg) ? (arg as unknown[]) : [arg];
    if (!items.every(finite)) return unanswered;
    let total = 0;
    for (const n of items) total += n;
    return total;
  },
  count: (arg) => (arg === undefined ? 0 : Array.isArray(arg) ? arg.length : primitive(arg) && arg !== null ? 1 : unanswered),
};

const arithmetic: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '%': (a, b) => a % b,
};
const ordering: Readonly<Record<string, (a: number | string, b: number | string) => boolean>> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

function binaryPlan(op: string, lhs: QuickPlan, rhs: QuickPlan): QuickPlan | null {
  if (op === 'and' || op === 'or') {
    return (scope) => {
      const l = truth(lhs(scope));
      if (l === unanswered || l === (op === 'or')) return l;
      return truth(rhs(scope));
    };
  }
  const both = (apply: (a: unknown, b: unknown) => unknown): QuickPlan => (scope) => {
    const a = lhs(scope);
    if (a === unanswered) return a;
    const b = rhs(scope);
    return b === unanswered ? b : apply(a, b);
  };
  const math = arithmetic[op];
  if (math) {
    return both((a, b) => {
      if (finite(a) && finite(b)) return Number.isFinite(math(a, b)) ? math(a, b) : unanswered;
      // Either side missing (and the other a number or missing too): JSONata answers nothing.
      return (a === undefined || finite(a)) && (b === undefined || finite(b)) ? undefined : unanswered;
    });
  }
  const compare = ordering[op];
  if (compare) return both((a, b) => ((finite(a) && finite(b)) || (typeof a === 'string' && typeof b === 'string') ? compare(a, b) : unanswered));
  if (op === '=' || op === '!=') {
    return both((a, b) => {
      if (a === undefined || b === undefined) return false;
      const objects = [a, b].filter((v) => !primitive(v)).length;
      if (objects === 2 || (typeof a === 'number' && !finite(a)) || (typeof b === 'number' && !finite(b))) return unanswered;
      return (objects === 0 && a === b) === (op === '=');
    });
  }
  if (op === '&') {
    return both((a, b) => ((a === undefined || typeof a === 'string') && (b === undefined || typeof b === 'string') ? (a ?? '') + (b ?? '') : unanswered));
  }
  return null;
}

/** A plan for the subset of JSONata whose semantics are a plain lookup or a scalar operation; null for the rest. */
function planOf(ast: Ast): QuickPlan | null {
  const shape = planShapes[ast.type];
  // Keys the parser leaves undefined (a function call's `name`) say nothing.
  if (!shape || !Object.entries(ast).every(([key, value]) => value === undefined || shape.includes(key))) return null;
  switch (ast.type) {
    case 'path': {
      const steps = ast.steps ?? [];
      const names = steps.flatMap((step) => (step.type === 'name' && Object.keys(step).every((key) => planShapes.name!.includes(key)) && typeof step.value === 'string' ? [step.value] : []));
      return steps.length > 0 && names.length === steps.length ? pathPlan(names) : null;
    }
    case 'string':
    case 'number':
    case 'value': {
      const value = ast.value;
      return () => value;
    }
    case 'unary': {
      const inner = ast.value === '-' && ast.expression ? planOf(ast.expression) : null;
      if (!inner) return null;
      return (scope) => {
        const v = inner(scope);
        return v === undefined ? undefined : finite(v) ? -v : unanswered;
      };
    }
    case 'function': {
      const procedure = ast.procedure;
      const fn = procedure?.type === 'variable' && Object.keys(procedure).every((key) => planShapes.variable!.includes(key)) ? functions[String(procedure.value)] : undefined;
      const arg = ast.value === '(' && ast.arguments?.length === 1 ? planOf(ast.arguments[0]!) : null;
      if (!fn || !arg) return null;
      return (scope) => {
        const value = arg(scope);
        return value === unanswered ? value : fn(value);
      };
    }
    case 'binary': {
      const lhs = ast.lhs && planOf(ast.lhs);
      const rhs = ast.rhs && planOf(ast.rhs);
      return lhs && rhs ? binaryPlan(String(ast.value), lhs, rhs) : null;
    }
    default:
      return null;
  }
}

const plans = new Map<string, QuickPlan | null>();

/** The quick plan of an expression, made once; throws {@link ExpressionError} on a syntax error like JSONata. */
function planFor(source: string): QuickPlan | null {
  let plan = plans.get(source);
  if (plan === undefined) {
    plan = planOf(compileExpression(source).ast() as unknown as Ast);
    plans.set(source, plan);
  }
  return plan;
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
  return evaluateExpression(source, scope);
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

/** True when a value is still being evaluated (only values with a JSONata expression beyond the quick subset). */
export function isPending(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

const segmentCache = new Map<string, Segment[]>();

function segmentsOf(value: string): Segment[] {
  let segments = segmentCache.get(value);
  if (!segments) {
    segments = splitTemplateString(value);
    segmentCache.set(value, segments);
  }
  return segments;
}

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
 * any other expression answers with a promise. The result is the one {@link evaluateValue} gives. Workflow code
 * uses it because the sandbox records a stack trace for every promise made there.
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
