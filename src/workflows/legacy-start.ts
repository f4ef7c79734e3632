import { isCancellation } from '@temporalio/workflow';
import { evaluateValue, evaluateValueNow, hasExpression, truthy, type ExpressionScope } from '../template/expressions.js';
import type { TemplateNode } from '../template/model.js';
import { toRunError } from './failures.js';
import { byReference } from './large-values.js';
import { runnerFor } from './nodes/index.js';
import { evaluateConfigNow, markStarted, orError, runContext, type NodeHost } from './node-start.js';
import { change, hasChange } from './revision.js';

/**
 * How runs started before {@link leanLifecyclePatch} (see `node-lifecycle.ts`) start their nodes, kept as it was so
 * that their histories replay: every node start is an async function, and what it does waits on promises in a
 * set order. Nothing new is added here.
 */

/**
 * Node starts evaluate expressions at once (no promise unless JSONata is needed) since this patch. Before it,
 * several nodes started together issued their commands in the order their evaluations happened to finish;
 * histories recorded then replay with that order, so the old way is kept for them.
 */
export const quickStartPatch = change('weft-quick-node-starts', 1);

/** Evaluates a node's config, leaving the keys its type evaluates per item as written (as runs before the patch did). */
async function evaluateConfig(raw: unknown, scope: ExpressionScope, perItem: readonly string[] = []): Promise<unknown> {
  if (perItem.length === 0 || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return evaluateValue(raw, scope);
  const entries = Object.entries(raw as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) out[key] = perItem.includes(key) ? value : await evaluateValue(value, scope);
  return out;
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

/** A value, or a rejection with the error evaluating it threw at once. */
function rejectOnThrow(evaluate: () => unknown): unknown {
  try {
    return evaluate();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new TypeError(String(err)));
  }
}

/**
 * Starts a node: `when`, config, then its runner. `quick` evaluates at once (see {@link quickStartPatch}); either
 * way what the node does beyond `node.started` happens after the scheduling pass that launched it.
 */
export async function legacyStart(host: NodeHost, node: TemplateNode, quick: boolean): Promise<void> {
  const { book, run } = host;
  const state = book.node(node.id);
  if (node.when !== undefined && state.attempts === 0) {
    const when = node.when;
    const go = quick ? await orError(() => evaluateValueNow(when, book.scope())) : await evaluateValue(when, book.scope()).catch((err: unknown) => err);
    if (go instanceof Error) return book.end(state, 'failed', { error: toRunError(go, node.id) });
    if (!truthy(go)) return book.end(state, 'skipped');
  }
  const attempt = markStarted(book, node);
  const runner = runnerFor(node.type);
  try {
    const scope = book.scope();
    const raw = host.configOf(node);
    // Quick or not, the runner starts after the pass that launched the node, so that pass's events keep their order.
    const config = quick ? await rejectOnThrow(() => evaluateConfigNow(raw, scope, runner.perItem)) : await evaluateConfig(raw, scope, runner.perItem);
    const output = await host.nodeScope.run(() => runner.run(runContext(host, node, attempt, config, scope)));
    book.end(state, 'completed', { output: await byReference(run.runId, output ?? null) });
  } catch (err) {
    if (isCancellation(err)) book.end(state, 'cancelled');
    else book.end(state, 'failed', { error: toRunError(err, node.id), data: { onError: book.onError(node.id) } });
  }
}

/**
 * Whether a legacy pass starts nodes the quick way. Nodes started with nothing else in flight issue the same
 * commands either way when one starts alone, or when all of them took the same steps to evaluate before the
 * patch (same type, no `when`, configs of one shape without expressions). Otherwise their commands may come in
 * another order than before {@link quickStartPatch}, so the patch decides.
 */
export function legacyQuickStarts(host: NodeHost, readyNow: () => readonly TemplateNode[] | undefined, slots: number): boolean {
  if (host.book.active.size === 0 && startInOrder(host, readyNow()?.slice(0, slots))) return true;
  return hasChange(quickStartPatch);
}

/** True when the ready nodes of a pass (`undefined` when the pass skips one too) start as {@link legacyQuickStarts} says. */
function startInOrder(host: NodeHost, starting: readonly TemplateNode[] | undefined): boolean {
  if (starting === undefined) return false;
  if (starting.length < 2) return true;
  const first = starting[0]!;
  const shape = literalShape(host.configOf(first));
  return shape !== undefined && starting.every((n) => n.type === first.type && n.when === undefined && literalShape(host.configOf(n)) === shape);
}
