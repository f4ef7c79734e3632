import { durationMs } from './duration.js';
import type { PathProblem } from './problems.js';
import type { RetryPolicy, Template, TemplateNode } from './model.js';

/** Weft's retry policy where neither the node nor the template's defaults set one. */
export const defaultRetry: Required<Omit<RetryPolicy, 'nonRetryable'>> = {
  maxAttempts: 3,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maxInterval: '1m',
};

/** A node's retry policy as it runs: its own fields, then the template's `defaults.retry`, then Weft's. */
export function effectiveRetry(template: Pick<Template, 'defaults'>, node?: Pick<TemplateNode, 'retry'>): typeof defaultRetry & Pick<RetryPolicy, 'nonRetryable'> {
  return { ...defaultRetry, ...template.defaults?.retry, ...node?.retry };
}

/**
 * Retry policies that Temporal would refuse, where they are written: a `maxInterval` shorter than the
 * `initialInterval`, once unset fields are filled in (a node's `initialInterval: 2m` under the default
 * `maxInterval` of 1m). Such a node would fail when it first runs.
 */
export function retryProblems(template: Template): PathProblem[] {
  const problems: PathProblem[] = [];
  const check = (retry: RetryPolicy | undefined, at: Array<string | number>, node?: TemplateNode) => {
    // Where neither interval is written, a problem is the defaults', reported there once.
    if (retry?.initialInterval === undefined && retry?.maxInterval === undefined) return;
    const { initialInterval, maxInterval } = effectiveRetry(template, node);
    if (durationMs(maxInterval) >= durationMs(initialInterval)) return;
    const field = retry.maxInterval !== undefined ? 'maxInterval' : 'initialInterval';
    problems.push({ path: [...at, field], message: `maxInterval (${maxInterval}) is shorter than initialInterval (${initialInterval}); set both, or keep initialInterval at most ${maxInterval}` });
  };
  check(template.defaults?.retry, ['defaults', 'retry']);
  template.nodes.forEach((node, i) => check(node.retry, ['nodes', i, 'retry'], node));
  return problems;
}
