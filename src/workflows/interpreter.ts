import { allHandlersFinished, CancellationScope, condition, isCancellation, patched, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { evaluateValue, evaluateValueNow, hasExpression, isPending, type ExpressionScope } from '../template/expressions.js';
import type { TemplateNode } from '../template/model.js';
import { activityOptionsFor } from './activity-options.js';
import { toRunError } from './failures.js';
import type { RunInput } from './input.js';
import { byReference } from './large-values.js';
import { runnerFor } from './nodes/index.js';
import { RunBook } from './run-book.js';

export { toRunError } from './failures.js';

const defaultMaxParallel = 10;

/**
 * Node starts evaluate expressions at once (no promise unless JSONata is needed) since this patch. Before it,
 * several nodes started together issued their commands in the order their evaluations happened to finish;
 * histories recorded then replay with that order, so the old way is kept for them.
 */
export const quickStartPatch = 'weft-quick-node-starts';

/** Evaluates a node's config, leaving the keys its type evaluates per item as written (as runs before the patch did). */
async function evaluateConfig(raw: unknown, scope: ExpressionScope, perItem: readonly string[] = []): Promise<unknown> {
  if (perItem.length === 0 || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return evaluateValue(raw, scope);
  const entries = Object.entries(raw as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) out[key] = perItem.includes(key) ? value : await evaluateValue(value, scope);
  return out;
}

/** {@link evaluateConfig} without a promise where no expression needs JSONata. */
function evaluateConfigNow(raw: unknown, scope: ExpressionScope, perItem: readonly string[] = []): unknown {
  if (perItem.length === 0 || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return evaluateValueNow(raw, scope);
  const entries = Object.entries(raw as Record<string, unknown>);
  const evaluated = evaluateValueNow(Object.fromEntries(entries.filter(([key]) => !perItem.includes(key))), scope);
  const merge = (values: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of entries) out[key] = perItem.includes(key) ? value : values[key];
    return out;
  };
  return isPending(evaluated) ? evaluated.then((v) => merge(v as Record<string, unknown>)) : merge(evaluated as Record<string, unknown>);
}

/**
 * The nesting of a value without expressions (how many entries each object and list has), which is all that
 * decided how long evaluating it took before {@link quickStartPatch}; `undefined` when it holds an expression.
 */
function literalShape(value: unknown): string | undefined {
  if (typeof value === 'string') return hasExpression(value) ? undefined : '.';
  if (value === null || typeof value !== 'object') return '.';
  const inner = Object.values(value).map(literalShape);
  if (inner.some((s) => s === undefined)) return undefined;
  return Array.isArray(value) ? `[${inner.join(',')}]` : `{${inner.join(',')}}`;
}

/** A value, or the error evaluating it threw (at once or later). */
function orError(evaluate: () => unknown): unknown {
  try {
    const value = evaluate();
    return isPending(value) ? value.catch((err: unknown) => err) : value;
  } catch (err) {
    return err;
  }
}

/** A value, or a rejection with the error evaluating it threw at once. */
function rejectOnThrow(evaluate: () => unknown): unknown {
  try {
    return evaluate();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new TypeError(String(err)));
  }
}

/** How an execution of the interpreter ended: the run is over, or it goes on in a new execution. */
export type ExecutionEnd = 'ended' | 'continue-as-new' | 'cancelled-from-outside';

/**
 * Interprets one template DAG inside a workflow: ready-set scheduling in template order, `needs` and `when`
 * with the join and skip rules of the template language, operator pauses and holds, and a sequenced event for
 * every state change (kept in {@link RunBook}).
 */
export class RunInterpreter {
  readonly book: RunBook;
  /** Every node runs in this scope: cancelling it cancels in-flight activities, timers and child runs. */
  private readonly nodeScope = new CancellationScope();
  private readonly inFlight: Promise<void>[] = [];
  private readonly firstSeq: number;

  constructor(private readonly run: RunInput) {
    this.book = new RunBook(run);
    this.firstSeq = this.book.events.seq;
  }

  /** Stops the run: nothing new starts, everything in flight is cancelled, the run ends `cancelled`. */
  cancel(reason?: string): void {
    this.book.cancelRequested = true;
    this.cancelReason = reason;
    this.nodeScope.cancel();
    this.book.touch();
  }

  private cancelReason: string | undefined;

  /** What a pending node should do now: wait, run, be skipped, or never run (a need failed). */
  private readiness(node: TemplateNode): 'wait' | 'ready' | 'skip' | 'blocked' {
    const needs = (node.needs ?? []).map((id) => this.book.node(id));
    if (needs.some((n) => ['pending', 'running', 'waiting'].includes(n.status))) return 'wait';
    const failed = needs.filter((n) => n.status === 'failed' || n.status === 'cancelled');
    if (!failed.every((n) => this.book.onError(n.id) === 'continue')) return 'blocked';
    // A node an operator skipped hands on the output it was given: it counts as ended, not as a skipped branch.
    if (needs.length > 0 && needs.every((n) => n.status === 'skipped' && n.skippedBy !== 'operator')) return 'skip';
    return 'ready';
  }

  private launch(node: TemplateNode, quick: boolean): void {
    this.book.active.add(node.id);
    this.inFlight.push(
      this.start(node, quick).finally(() => {
        this.book.active.delete(node.id);
        this.book.touch();
      }),
    );
  }

  /**
   * Starts a node: `when`, config, then its runner. `quick` evaluates at once (see {@link quickStartPatch}); either
   * way what the node does beyond `node.started` happens after the scheduling pass that launched it.
   */
  private async start(node: TemplateNode, quick: boolean): Promise<void> {
    const { book } = this;
    const state = book.node(node.id);
    if (node.when !== undefined && state.attempts === 0) {
      const when = node.when;
      const go = quick ? await orError(() => evaluateValueNow(when, book.scope())) : await evaluateValue(when, book.scope()).catch((err: unknown) => err);
      if (go instanceof Error) return book.end(state, 'failed', { error: toRunError(go, node.id) });
      if (!go) return book.end(state, 'skipped');
    }
    const base = state.attempts;
    Object.assign(state, { status: 'running', startedAt: new Date().toISOString(), attempts: base + 1 });
    for (const key of ['endedAt', 'error', 'output'] as const) delete state[key];
    const started = book.events.emit('node.started', node.id, base > 0 ? { attempt: base + 1 } : undefined);
    book.touch();
    const runner = runnerFor(node.type);
    try {
      const scope = book.scope();
      const raw = this.configOf(node);
      // Quick or not, the runner starts after the pass that launched the node, so that pass's events keep their order.
      const config = quick ? await rejectOnThrow(() => evaluateConfigNow(raw, scope, runner.perItem)) : await evaluateConfig(raw, scope, runner.perItem);
      const output = await this.nodeScope.run(() => runner.run({
        runId: this.run.runId, template: this.run.template, node, config, scope, attempt: base + 1, seq: started.seq,
        activityOptions: activityOptionsFor(this.run.template, node),
        maxParallel: this.run.template.maxParallel ?? defaultMaxParallel,
        wait: (waitingFor) => {
          Object.assign(state, { status: 'waiting', waitingFor });
          book.events.emit('node.waiting', node.id, waitingFor);
          book.touch();
        },
        decision: () => book.decisions.get(node.id),
        attempts: (count) => (state.attempts = base + count),
      }));
      book.end(state, 'completed', { output: await byReference(this.run.runId, output ?? null) });
    } catch (err) {
      if (isCancellation(err)) book.end(state, 'cancelled');
      else book.end(state, 'failed', { error: toRunError(err, node.id), data: { onError: book.onError(node.id) } });
    }
  }

  /** Starts every ready node (up to `maxParallel` running) and skips every node whose needs were all skipped. */
  private schedule(maxParallel: number): void {
    const { book } = this;
    // A node launched in this pass counts as running until the pass ends, whatever it does meanwhile.
    let running = book.inFlightCount();
    let quick: boolean | undefined;
    for (let again = true; again; ) {
      again = false;
      for (const node of book.definitions.values()) {
        if (running >= maxParallel) return;
        if (book.active.has(node.id) || book.node(node.id).status !== 'pending') continue;
        const readiness = this.readiness(node);
        if (readiness === 'ready') {
          quick ??= this.quickStarts(maxParallel - running);
          this.launch(node, quick);
          running++;
        } else if (readiness === 'skip') {
          book.end(book.node(node.id), 'skipped');
          again = true;
        }
      }
    }
  }

  /**
   * Whether this pass starts nodes the quick way. Nodes started with nothing else in flight issue the same
   * commands either way when one starts alone, or when all of them took the same steps to evaluate before the
   * patch (same type, no `when`, configs of one shape without expressions). Otherwise their commands may come in
   * another order than before {@link quickStartPatch}, so the patch decides.
   */
  private quickStarts(slots: number): boolean {
    if (this.book.active.size === 0 && this.startInOrder(slots)) return true;
    return patched(quickStartPatch);
  }

  /** True when the ready nodes of this pass (up to `slots`) start as described in {@link quickStarts}. */
  private startInOrder(slots: number): boolean {
    const ready: TemplateNode[] = [];
    for (const node of this.book.definitions.values()) {
      if (this.book.active.has(node.id) || this.book.node(node.id).status !== 'pending') continue;
      const readiness = this.readiness(node);
      // A skip could make another node ready within the pass.
      if (readiness === 'skip') return false;
      if (readiness === 'ready') ready.push(node);
    }
    const starting = ready.slice(0, slots);
    if (starting.length < 2) return true;
    const first = starting[0]!;
    const shape = literalShape(this.configOf(first));
    return shape !== undefined && starting.every((n) => n.type === first.type && n.when === undefined && literalShape(this.configOf(n)) === shape);
  }

  private configOf(node: TemplateNode): unknown {
    return (this.book.overrides.has(node.id) ? this.book.overrides.get(node.id) : node.config) ?? {};
  }

  /** Temporal suggests a new execution, or the run asked for one after so many events. */
  private wantsNewExecution(): boolean {
    const after = this.run.continueAsNewAfterEvents;
    return workflowInfo().continueAsNewSuggested || (after !== undefined && this.book.events.seq - this.firstSeq >= after);
  }

  /**
   * Runs the DAG until the run ends, or until it should continue as new (then with nothing in flight, so that
   * the state hands over whole). Operator pauses and `onError: pause` holds keep it waiting here.
   */
  async execute(): Promise<ExecutionEnd> {
    const { book } = this;
    if (!this.run.carried) book.events.emit('run.started', undefined, { templateId: this.run.templateId, version: this.run.templateVersion, trigger: this.run.trigger });
    const maxParallel = this.run.template.maxParallel ?? defaultMaxParallel;
    let end: ExecutionEnd = 'ended';
    try {
      for (;;) {
        const failing = book.failing();
        // A failure that fails the run ends it: what is still in flight (or waiting) is cancelled.
        if (failing && !this.nodeScope.consideredCancelled) this.nodeScope.cancel();
        const renew = this.wantsNewExecution();
        const holding = book.pauseRequested || book.holding();
        if (!failing && !book.cancelRequested && !holding && !renew) this.schedule(maxParallel);
        if (book.active.size === 0) {
          const pending = [...book.nodes.values()].some((n) => n.status === 'pending');
          if (failing || book.cancelRequested || (!pending && !book.holding())) break;
          if (renew && allHandlersFinished()) return 'continue-as-new';
        }
        book.changed = false;
        await condition(() => book.changed || (renew && book.active.size === 0 && allHandlersFinished()));
        this.showDetails(`${book.status()}: ${book.progress()}% of nodes ended, ${book.inFlightCount()} in flight`);
      }
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // The workflow itself was cancelled (by a client, or by the parent run): end as cancelled.
      book.cancelRequested = true;
      end = 'cancelled-from-outside';
    }
    await CancellationScope.nonCancellable(async () => {
      await Promise.all(this.inFlight);
      await this.settle();
    });
    return end;
  }

  private async settle(): Promise<void> {
    const { book } = this;
    const failing = book.failing();
    const final = book.cancelRequested ? 'cancelled' : failing ? 'failed' : 'completed';
    // Set first: ending the pending nodes below must not report status moves of a run that is over.
    book.final = final;
    for (const node of book.nodes.values()) {
      if (node.status === 'pending') book.end(node, final === 'completed' ? 'skipped' : 'cancelled');
    }
    book.endedAt = new Date().toISOString();
    if (final === 'cancelled') {
      book.events.emit('run.cancelled', undefined, this.cancelReason ? { reason: this.cancelReason } : undefined);
    } else if (failing) {
      book.error = { message: `node "${failing.id}" failed: ${failing.error?.message ?? 'unknown error'}`, type: 'NodeFailed', nodeId: failing.id, details: failing.error };
      book.events.emit('run.failed', undefined, { error: book.error });
    } else {
      try {
        const evaluated = this.run.template.output === undefined ? null : evaluateValueNow(this.run.template.output, book.scope());
        const output = (isPending(evaluated) ? await evaluated : evaluated) ?? null;
        book.output = await byReference(this.run.runId, output);
        book.events.emit('run.completed', undefined, { output: book.output });
      } catch (err) {
        book.final = 'failed';
        book.error = { ...toRunError(err), type: 'OutputFailed' };
        book.events.emit('run.failed', undefined, { error: book.error });
      }
    }
    this.showDetails(`${book.status()}, ${book.progress()}% of nodes ended`);
  }

  private details: string | undefined;

  /** The Web UI's current details of the workflow, set only when the text changes. */
  private showDetails(text: string): void {
    if (text === this.details) return;
    this.details = text;
    setCurrentDetails(text);
  }
}
