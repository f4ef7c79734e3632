import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { isPending, truthy } from '../template/expressions.js';
import type { TemplateNode } from '../template/model.js';
import { evaluateInRun } from './blob-reads.js';
import { toRunError } from './failures.js';
import { byReferenceNow } from './large-values.js';
import { evaluateConfigNow, markStarted, orError, runContext, type NodeHost } from './node-start.js';
import { runnerFor, type NodeRunContext, type NodeRunner } from './nodes/index.js';
import { change } from './revision.js';
import type { NodeState, RunError } from './state.js';

/**
 * Since this patch a node goes from start to end through callbacks, making a promise only where something is
 * awaited (the node's own work, a JSONata expression, a blob), and the worker writes the run index as the run
 * closes (see `run-template.ts`). The sandbox records a stack trace for every promise a workflow makes, which
 * made the promises of the async start (`legacy-start.ts`) the larger part of a run's workflow-task time. Runs
 * started before the patch keep the legacy start, so their histories replay.
 */
export const leanLifecyclePatch = change('weft-lean-lifecycle', 2);

/**
 * A cancellation scope whose `run` only enters the scope. The SDK's adds an async frame for its `timeout`
 * option, which the node scope does not use: two more promises for every node.
 */
export class NodeScope extends CancellationScope {
  protected override runInContext<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

/**
 * Starts a node: `when`, then `node.started`, its config and its runner; the node ends (and leaves
 * `book.active`) when its runner settles. Everything up to the runner's own work happens now, in the scheduling
 * pass, unless an expression needs JSONata.
 */
export function startNode(host: NodeHost, node: TemplateNode): void {
  const { book } = host;
  const state = book.node(node.id);
  book.active.add(node.id);
  if (node.when !== undefined && state.attempts === 0) {
    const when = node.when;
    const go = orError(() => evaluateInRun(book, when, book.scope()));
    if (isPending(go)) void go.then((value) => decide(host, node, value));
    else decide(host, node, go);
    return;
  }
  begin(host, node);
}

/**
 * Since this patch a run that should continue as new while its only unended nodes wait on a timer or for a
 * decision hands them over waiting, and the next execution takes up their waits ({@link resumeNode}); before
 * it, the run started no node until they ended, however long that took. Asked for only by such runs.
 */
export const handOverWaitingPatch = change('weft-hand-over-waiting', 10);

/** True when a node, as it is now, can be handed over waiting to the next execution. */
export function canHandOver(host: NodeHost, nodeId: string): boolean {
  const state = host.book.node(nodeId);
  return state.status === 'waiting' && runnerFor(state.type).resume !== undefined && !host.book.decisions.has(nodeId);
}

/**
 * Takes up a node the previous execution handed over waiting: it stays `waiting`, with no new event, until its
 * wait ends, and then ends as it would have.
 */
export function resumeNode(host: NodeHost, node: TemplateNode): void {
  const { book } = host;
  const resume = runnerFor(node.type).resume;
  const state = book.node(node.id);
  if (!resume || state.status !== 'waiting') return;
  book.active.add(node.id);
  endWhenDone(host, node, () => resume({ node, waitingFor: state.waitingFor ?? {}, decision: () => book.decisions.get(node.id) }));
}

function decide(host: NodeHost, node: TemplateNode, go: unknown): void {
  if (go instanceof Error) end(host, node, 'failed', { error: toRunError(go, node.id) });
  else if (!truthy(go)) end(host, node, 'skipped');
  else begin(host, node);
}

function begin(host: NodeHost, node: TemplateNode): void {
  const { book } = host;
  const attempt = markStarted(book, node);
  const runner = runnerFor(node.type);
  const scope = book.scope();
  const run = (config: unknown): void => {
    let context: NodeRunContext;
    try {
      context = runContext(host, node, attempt, config, scope);
    } catch (err) {
      return fail(host, node, err);
    }
    execute(host, node, runner, context);
  };
  let config: unknown;
  try {
    config = evaluateConfigNow(host.configOf(node), scope, runner.perItem, (value, at) => evaluateInRun(book, value, at));
  } catch (err) {
    return fail(host, node, err);
  }
  if (isPending(config)) void config.then(run, (err: unknown) => fail(host, node, err));
  else run(config);
}

function execute(host: NodeHost, node: TemplateNode, runner: NodeRunner, context: NodeRunContext): void {
  if (runner.inline) {
    let output: unknown;
    try {
      output = runner.inline(context);
    } catch (err) {
      return fail(host, node, err);
    }
    return complete(host, node, output);
  }
  endWhenDone(host, node, () => runner.run(context));
}

/** Runs a node's work in the node scope; the node completes with its output, or fails with what it threw. */
function endWhenDone(host: NodeHost, node: TemplateNode, work: () => Promise<unknown>): void {
  let running: Promise<unknown>;
  try {
    running = host.nodeScope.run(work);
  } catch (err) {
    return fail(host, node, err);
  }
  void running.then((output) => complete(host, node, output), (err: unknown) => fail(host, node, err));
}

function complete(host: NodeHost, node: TemplateNode, output: unknown): void {
  const value = byReferenceNow(host.run.runId, output ?? null);
  if (isPending(value)) void value.then((stored) => end(host, node, 'completed', { output: stored }), (err: unknown) => fail(host, node, err));
  else end(host, node, 'completed', { output: value });
}

function fail(host: NodeHost, node: TemplateNode, err: unknown): void {
  if (isCancellation(err)) end(host, node, 'cancelled');
  else end(host, node, 'failed', { error: toRunError(err, node.id), data: { onError: host.book.onError(node.id) } });
}

function end(host: NodeHost, node: TemplateNode, status: NodeState['status'], detail?: { output?: unknown; error?: RunError; data?: Record<string, unknown> }): void {
  // Out of `active` first, so that the one `touch` in `book.end` sees the run as it now is.
  host.book.active.delete(node.id);
  host.book.end(host.book.node(node.id), status, detail);
}
