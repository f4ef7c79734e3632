import { allHandlersFinished, CancellationScope, condition, isCancellation, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { isPending } from '../template/expressions.js';
import { defaultMaxParallel, type TemplateNode } from '../template/model.js';
import { evaluateInRun } from './blob-reads.js';
import { needsBlob } from './blob-ref.js';
import { toRunError } from './failures.js';
import type { RunInput } from './input.js';
import { storeAsBlob } from './large-values.js';
import { legacyQuickStarts, legacyStart } from './legacy-start.js';
import { touchWakeChange } from './loop-wake.js';
import { canHandOver, handOverWaitingPatch, leanLifecyclePatch, NodeScope, resumeNode, startNode } from './node-lifecycle.js';
import { orError, type NodeHost } from './node-start.js';
import { change, hasChange } from './revision.js';
import { RunBook } from './run-book.js';

export { toRunError } from './failures.js';
export { quickStartPatch } from './legacy-start.js';
export { leanLifecyclePatch } from './node-lifecycle.js';

/**
 * Since this change a node an operator retries runs at once while other failed nodes still hold the run
 * (`onError: pause`); before it, it stayed pending until every one of them was retried or skipped. Nothing else
 * starts meanwhile. Asked for only by runs that hold with a retried node.
 */
export const retryWhileHeldChange = change('weft-retry-while-held', 22);

/** How an execution of the interpreter ended: the run is over, or it goes on in a new execution. */
export type ExecutionEnd = 'ended' | 'continue-as-new' | 'cancelled-from-outside';

/**
 * Interprets one template DAG inside a workflow: ready-set scheduling in template order, `needs` and `when`
 * with the join and skip rules of the template language, operator pauses and holds, and a sequenced event for
 * every state change (kept in {@link RunBook}).
 */
export class RunInterpreter implements NodeHost {
  readonly book: RunBook;
  /** Whether nodes go through the lean lifecycle ({@link leanLifecyclePatch}); runs started before it keep the legacy one. */
  readonly lean: boolean;
  /** Every node runs in this scope: cancelling it cancels in-flight activities, timers and child runs. */
  readonly nodeScope: CancellationScope;
  readonly maxParallel: number;
  /** The legacy lifecycle's node promises, awaited before the run settles. */
  private readonly inFlight: Promise<void>[] = [];
  private readonly firstSeq: number;

  constructor(readonly run: RunInput) {
    this.book = new RunBook(run);
    this.firstSeq = this.book.events.seq;
    this.maxParallel = run.template.maxParallel ?? defaultMaxParallel;
    this.lean = hasChange(leanLifecyclePatch);
    this.nodeScope = this.lean ? new NodeScope() : new CancellationScope();
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

  /** The legacy lifecycle's launch: the node's promise is kept until the run settles. */
  private launch(node: TemplateNode, quick: boolean): void {
    this.book.active.add(node.id);
    this.inFlight.push(
      legacyStart(this, node, quick).finally(() => {
        this.book.active.delete(node.id);
        this.book.touch();
      }),
    );
  }

  /**
   * Nodes an operator retried that have not started again: pending after an attempt. Only a retry makes a node
   * pending once it has been tried; a run hands over no node in flight.
   */
  private retriedNodes(): TemplateNode[] {
    return [...this.book.definitions.values()].filter((d) => {
      const node = this.book.node(d.id);
      return node.status === 'pending' && node.attempts > 0 && !this.book.active.has(d.id);
    });
  }

  /**
   * Starts every ready node of `only` (every node unless given), up to `maxParallel` running, and skips every
   * node whose needs were all skipped.
   */
  private schedule(maxParallel: number, only?: readonly TemplateNode[]): void {
    const { book } = this;
    // A node launched in this pass counts as running until the pass ends, whatever it does meanwhile.
    let running = book.inFlightCount();
    let quick: boolean | undefined;
    for (let again = true; again; ) {
      again = false;
      for (const node of only ?? book.definitions.values()) {
        if (running >= maxParallel) return;
        if (book.active.has(node.id) || book.node(node.id).status !== 'pending') continue;
        const readiness = this.readiness(node);
        if (readiness === 'ready') {
          if (this.lean) {
            startNode(this, node);
          } else {
            quick ??= legacyQuickStarts(this, () => this.readyNow(), maxParallel - running);
            this.launch(node, quick);
          }
          running++;
        } else if (readiness === 'skip') {
          book.end(book.node(node.id), 'skipped');
          again = true;
        }
      }
    }
  }

  /** The nodes a pass would start now, in template order; `undefined` when the pass would skip one too. */
  private readyNow(): TemplateNode[] | undefined {
    const ready: TemplateNode[] = [];
    for (const node of this.book.definitions.values()) {
      if (this.book.active.has(node.id) || this.book.node(node.id).status !== 'pending') continue;
      const readiness = this.readiness(node);
      // A skip could make another node ready within the pass.
      if (readiness === 'skip') return undefined;
      if (readiness === 'ready') ready.push(node);
    }
    return ready;
  }

  /** A node's config as it runs now: an operator's retry may have replaced it. */
  configOf(node: TemplateNode): unknown {
    return (this.book.overrides.has(node.id) ? this.book.overrides.get(node.id) : node.config) ?? {};
  }

  /**
   * Whether waiting nodes may be handed over to the next execution ({@link handOverWaitingPatch}): asked the
   * first time it would matter, then kept.
   */
  private handOver: boolean | undefined;

  /**
   * True when the run, going on to a new execution, can hand over what is unended: every unended node waits and
   * can be handed over, and nothing else holds the run here (a failure, a cancel, an update still running).
   * False once handing over was refused.
   */
  private canHandOverAll(): boolean {
    const { book } = this;
    if (!this.lean || this.handOver === false || book.active.size === 0 || book.cancelRequested || !allHandlersFinished()) return false;
    for (const id of book.active) if (!canHandOver(this, id)) return false;
    return !book.failing();
  }

  private wakeOnTouch: boolean | undefined;

  /**
   * Whether the main loop sleeps until the book marks a change ({@link touchWakeChange}) rather than in a
   * `condition`: asked the first time it sleeps, then kept. A loop that waits to go on in a new execution keeps
   * the `condition`, as what it waits for (handlers finishing) marks no change.
   */
  private wakesOnTouch(): boolean {
    this.wakeOnTouch ??= this.lean && hasChange(touchWakeChange);
    return this.wakeOnTouch;
  }

  /** Temporal suggests a new execution, or the run asked for one after so many events. */
  private wantsNewExecution(): boolean {
    const after = this.run.continueAsNewAfterEvents;
    return workflowInfo().continueAsNewSuggested || (after !== undefined && this.book.events.seq - this.firstSeq >= after);
  }

  /**
   * Runs the DAG until the run ends, or until it should continue as new: then with nothing in flight, so that
   * the state hands over whole, but nodes waiting on a timer or for a decision may be handed over as they wait.
   * Operator pauses and `onError: pause` holds keep it waiting here.
   */
  async execute(): Promise<ExecutionEnd> {
    const { book } = this;
    if (!this.run.carried) book.events.emit('run.started', undefined, { templateId: this.run.templateId, version: this.run.templateVersion, trigger: this.run.trigger });
    // Nodes the previous execution handed over waiting (a timer, a decision) take up their waits.
    else for (const node of book.definitions.values()) if (book.node(node.id).status === 'waiting') resumeNode(this, node);
    const { maxParallel } = this;
    let end: ExecutionEnd = 'ended';
    try {
      for (;;) {
        // The lean lifecycle ends some nodes within the pass that starts them (a false `when`, a transform): a pass
        // that changed anything is followed by another before the run waits, or that change would wake nothing.
        if (this.lean) book.changed = false;
        const failing = book.failing();
        // A failure that fails the run ends it: what is still in flight (or waiting) is cancelled.
        if (failing && !this.nodeScope.consideredCancelled) this.nodeScope.cancel();
        const renew = this.wantsNewExecution();
        const holding = book.pauseRequested || book.holding();
        if (!failing && !book.cancelRequested && !holding && !renew) this.schedule(maxParallel);
        else if (!failing && !book.cancelRequested && !book.pauseRequested && !renew && this.lean) {
          const retried = this.retriedNodes();
          if (retried.length > 0 && hasChange(retryWhileHeldChange)) this.schedule(maxParallel, retried);
        }
        if (book.active.size === 0) {
          const pending = [...book.nodes.values()].some((n) => n.status === 'pending');
          if (failing || book.cancelRequested || (!pending && !book.holding())) break;
          if (renew && allHandlersFinished()) return 'continue-as-new';
        } else if (renew && this.canHandOverAll()) {
          // Waits can be long: rather than start nothing until they end, the next execution takes them up.
          this.handOver ??= hasChange(handOverWaitingPatch);
          if (this.handOver) return 'continue-as-new';
        }
        if (this.lean && book.changed) continue;
        book.changed = false;
        if (!renew && this.wakesOnTouch()) await book.wake.next();
        else await condition(() => book.changed || (renew && ((book.active.size === 0 && allHandlersFinished()) || this.canHandOverAll())));
        this.showDetails(`${book.status()}: ${book.progress()}% of nodes ended, ${book.inFlightCount()} in flight`);
      }
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // The workflow itself was cancelled (by a client, or by the parent run): end as cancelled.
      book.cancelRequested = true;
      end = 'cancelled-from-outside';
    }
    if (this.lean) {
      // Nodes cancelled with the workflow end once their work has seen the cancellation.
      if (book.active.size > 0) await CancellationScope.nonCancellable(() => condition(() => book.active.size === 0));
      const settling = this.settle();
      if (settling) await settling;
    } else {
      await CancellationScope.nonCancellable(async () => {
        await Promise.all(this.inFlight);
        await this.settle();
      });
    }
    return end;
  }

  /** Ends the run: pending nodes, the final event, the output. A promise only when the output needs one. */
  private settle(): void | Promise<void> {
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
      book.close('run.cancelled', this.cancelReason ? { reason: this.cancelReason } : undefined);
    } else if (failing) {
      book.error = { message: `node "${failing.id}" failed: ${failing.error?.message ?? 'unknown error'}`, type: 'NodeFailed', nodeId: failing.id, details: failing.error };
      book.close('run.failed', { error: book.error });
    } else {
      const template = this.run.template.output;
      const evaluated = template === undefined ? null : orError(() => evaluateInRun(book, template, book.scope()));
      const completing = isPending(evaluated) ? evaluated.then((output) => this.complete(output)) : this.complete(evaluated);
      if (completing) return completing.then(() => this.showSettled());
    }
    this.showSettled();
  }

  /** Completes the run with its evaluated output (or fails it with the error evaluating the output threw). */
  private complete(output: unknown): void | Promise<void> {
    const { book } = this;
    const failed = (err: unknown) => {
      book.final = 'failed';
      book.error = { ...toRunError(err), type: 'OutputFailed' };
      book.close('run.failed', { error: book.error });
    };
    if (output instanceof Error) return failed(output);
    const completed = (value: unknown) => {
      book.output = value;
      book.close('run.completed', { output: value });
    };
    const value = output ?? null;
    if (!needsBlob(value, this.run.outputBlobThreshold)) return completed(value);
    // Storing a large output is a local activity, which must finish even while the workflow is being cancelled.
    return CancellationScope.nonCancellable(() => storeAsBlob(this.run.runId, value)).then(completed, failed);
  }

  private showSettled(): void {
    this.showDetails(`${this.book.status()}, ${this.book.progress()}% of nodes ended`);
  }

  private details: string | undefined;

  /** The Web UI's current details of the workflow, set only when the text changes. */
  private showDetails(text: string): void {
    if (text === this.details) return;
    this.details = text;
    setCurrentDetails(text);
  }
}
