import type { CancellationScope } from '@temporalio/workflow';
import { evaluateValueNow, isPending, type ExpressionScope } from '../template/expressions.js';
import type { TemplateNode } from '../template/model.js';
import { activityOptionsFor } from './activity-options.js';
import type { RunInput } from './input.js';
import type { NodeRunContext } from './nodes/index.js';
import type { RunBook } from './run-book.js';

/** What starting a node reads and writes of the interpreter, in either lifecycle. */
export interface NodeHost {
  readonly book: RunBook;
  readonly run: RunInput;
  /** The scope every node runs in: cancelling it cancels in-flight activities, timers and child runs. */
  readonly nodeScope: CancellationScope;
  readonly maxParallel: number;
  configOf(node: TemplateNode): unknown;
}

/** A node's new attempt: its attempts before it, and the seq of its `node.started`. */
export interface Attempt {
  base: number;
  seq: number;
}

/** Marks a node running in a new attempt and emits `node.started`. */
export function markStarted(book: RunBook, node: TemplateNode): Attempt {
  const state = book.node(node.id);
  const base = state.attempts;
  Object.assign(state, { status: 'running', startedAt: new Date().toISOString(), attempts: base + 1 });
  for (const key of ['endedAt', 'error', 'output'] as const) delete state[key];
  const started = book.events.emit('node.started', node.id, base > 0 ? { attempt: base + 1 } : undefined);
  book.touch();
  return { base, seq: started.seq };
}

/** What a node's runner is given for this attempt. */
export function runContext(host: NodeHost, node: TemplateNode, attempt: Attempt, config: unknown, scope: ExpressionScope): NodeRunContext {
  const { book, run } = host;
  const state = book.node(node.id);
  return {
    runId: run.runId, template: run.template, node, config, scope, attempt: attempt.base + 1, seq: attempt.seq,
    activityOptions: activityOptionsFor(run.template, node),
    maxParallel: host.maxParallel,
    wait: (waitingFor) => {
      Object.assign(state, { status: 'waiting', waitingFor });
      book.events.emit('node.waiting', node.id, waitingFor);
      book.touch();
    },
    decision: () => book.decisions.get(node.id),
    attempts: (count) => (state.attempts = attempt.base + count),
    gate: {
      held: () => book.pauseRequested,
      idle: (idle) => {
        if (idle) book.idle.add(node.id);
        else book.idle.delete(node.id);
        book.touch();
      },
    },
  };
}

/**
 * A node's config evaluated without a promise where no expression needs JSONata; keys evaluated per item stay as
 * written. `evaluate` is how a value is evaluated (the lean lifecycle's reads stored blobs when it must).
 */
export function evaluateConfigNow(raw: unknown, scope: ExpressionScope, perItem: readonly string[] = [], evaluate: (value: unknown, scope: ExpressionScope) => unknown = evaluateValueNow): unknown {
  if (perItem.length === 0 || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return evaluate(raw, scope);
  const entries = Object.entries(raw as Record<string, unknown>);
  const evaluated = evaluate(Object.fromEntries(entries.filter(([key]) => !perItem.includes(key))), scope);
  const merge = (values: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of entries) out[key] = perItem.includes(key) ? value : values[key];
    return out;
  };
  return isPending(evaluated) ? evaluated.then((v) => merge(v as Record<string, unknown>)) : merge(evaluated as Record<string, unknown>);
}

/** A value, or the error evaluating it threw (at once or later). */
export function orError(evaluate: () => unknown): unknown {
  try {
    const value = evaluate();
    return isPending(value) ? value.catch((err: unknown) => err) : value;
  } catch (err) {
    return err;
  }
}
