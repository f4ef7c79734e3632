/**
 * Quick plans: a synchronous evaluator for the subset of JSONata that is a plain lookup or a scalar operation.
 * Inside a workflow every promise is costly (the sandbox records a stack trace for each), so expressions this
 * subset covers are answered at once, exactly as JSONata would answer them; everything else goes to JSONata.
 */
import { compileExpression, expressionsKept } from './expression-compile.js';
import { memo } from './memo.js';

/** What a quick plan answers when only JSONata itself can answer exactly (an array on a path, a type error). */
export const unanswered: unique symbol = Symbol('unanswered');

/** A synchronous evaluation of a JSONata expression, exact where it answers; `unanswered` leaves it to JSONata. */
export type QuickPlan = (scope: unknown) => unknown;

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

/** The quick plan of an expression, made once; throws {@link ExpressionError} on a syntax error like JSONata. */
export const planFor: (source: string) => QuickPlan | null = memo(expressionsKept, (source) => planOf(compileExpression(source).ast() as unknown as Ast));
