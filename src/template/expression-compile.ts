import jsonata from 'jsonata';
import { memo } from './memo.js';

/** How many parsed expressions (and their plans and segments) a process keeps. */
export const expressionsKept = 10_000;

/** An expression that does not parse or fails while evaluating. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(message: string, readonly expression: string, readonly position?: number) {
    super(message);
  }
}

/**
 * The most steps (expressions within an expression, each call's body each time) one evaluation takes in a run's
 * own workflow code; past it the evaluation fails with an {@link ExpressionError}. The code runs all of a
 * workflow task's evaluations at once, and the SDK stops a worker thread whose task runs past 5 s, which takes
 * the whole process down with it: 200,000 steps take well under a second there, and cover reshaping every record
 * of a value up to 256 KB, past which values are evaluated in an activity ({@link activityEvaluationSteps}). The
 * count is the same on every replay, so a replayed run stops where it stopped.
 */
export const workflowEvaluationSteps = 200_000;

/** The most steps one evaluation takes in an activity (values over 256 KB, a map's per-item transforms). */
export const activityEvaluationSteps = 5_000_000;

// JSONata calls a function bound under this symbol before each step; `steps` lives on the evaluation's root frame.
const stepHook = Symbol.for('jsonata.__evaluate_entry');
/** The binding an evaluation gives its step budget under ({@link evaluationBindings}). */
const budgetBinding = 'weftEvaluationSteps';
const taken = Symbol('weft.stepsTaken');

interface Frame {
  base: Frame & { [taken]?: number };
  lookup(name: string): unknown;
}

/** JSONata's bindings for an evaluation held to `steps` steps: `expression.evaluate(input, evaluationBindings(n))`. */
export function evaluationBindings(steps: number): Record<string, number> {
  return { [budgetBinding]: steps };
}

/** Counts an evaluation's steps and stops it past its budget (unbudgeted evaluations, the validator's, are not held). */
function stepCounter(source: string) {
  return (_expr: unknown, _input: unknown, frame: Frame): void => {
    const root = frame.base;
    const steps = (root[taken] ?? 0) + 1;
    root[taken] = steps;
    const budget = root.lookup(budgetBinding);
    if (typeof budget === 'number' && steps > budget) {
      throw new ExpressionError(`{{ ${source} }}: stopped after ${budget.toLocaleString('en-US')} steps, the most an expression takes here: it does not end, or it is too much work for one expression`, source);
    }
  };
}

/**
 * A value as `when` reads it, as a boolean (the interpreter's rule, and expressions' `$truthy(value)`). False for
 * false, null, 0, "" and nothing at all; true for anything else, an empty list or object too. JSONata's `$boolean` (which `$not`, `and` and `or` use)
 * takes empty lists and objects for false, so a converted `if-else` branches on this instead.
 */
export function truthy(value: unknown): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '');
}

/** Parses a JSONata expression once and keeps it; throws {@link ExpressionError} on a syntax error. */
export const compileExpression: (source: string) => jsonata.Expression = memo(expressionsKept, (source) => {
  if (source === '') throw new ExpressionError('the expression is empty', source);
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(e.message ?? String(err), source, e.position);
  }
  // Typed for names, but JSONata binds any key; its hooks are symbols so that no expression can read them.
  expression.assign(stepHook as unknown as string, stepCounter(source));
  expression.registerFunction('truthy', truthy);
  return expression;
});
