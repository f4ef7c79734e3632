import { parseDuration } from './duration.js';
import { hasExpression } from './expressions.js';
import type { Template, TemplateNode } from './model.js';
import { nodeType } from './node-types/index.js';
import type { PathProblem } from './problems.js';

/** How long one attempt of an activity node may take where neither the node nor the template's defaults say. */
export const defaultNodeTimeout = '5m';

/** A node's `timeout` as it runs: its own, then the template's `defaults.timeout`, then {@link defaultNodeTimeout}. */
export function effectiveTimeout(template: Pick<Template, 'defaults'>, node: Pick<TemplateNode, 'timeout'>): string {
  return node.timeout ?? template.defaults?.timeout ?? defaultNodeTimeout;
}

/**
 * Timeouts in an activity node's config (an `http` request's) longer than the node's own `timeout`, which ends
 * each attempt first: a 30-minute download under the default 5 minutes would be cut at 5 without a word. Only
 * written durations are checked; one from an expression is known when the node runs.
 */
export function configTimeoutProblems(template: Template): PathProblem[] {
  const problems: PathProblem[] = [];
  template.nodes.forEach((node, i) => {
    const attempt = effectiveTimeout(template, node);
    const whose = node.timeout !== undefined ? 'its own' : template.defaults?.timeout !== undefined ? 'defaults.timeout' : 'the default';
    const check = (type: string, config: unknown, at: Array<string | number>, which = "the node's timeout (beside config)") => {
      if (nodeType(type)?.runsAs !== 'activity') return;
      const written = (config as { timeout?: unknown } | undefined)?.timeout;
      if (typeof written !== 'string' || hasExpression(written)) return;
      const [own, most] = [parseDuration(written), parseDuration(attempt)];
      if (own === undefined || most === undefined || own <= most) return;
      problems.push({
        path: [...at, 'timeout'],
        message: `is longer than the node's timeout (${attempt}, ${whose}), which ends each attempt first: set ${which} to at least ${written}`,
      });
    };
    check(node.type, node.config, ['nodes', i, 'config']);
    // A map's per-item nodes run with the map's timeout.
    const inner = (node.config as { node?: { type?: unknown; config?: unknown } } | undefined)?.node;
    if (node.type === 'map' && typeof inner?.type === 'string') check(inner.type, inner.config, ['nodes', i, 'config', 'node', 'config'], "the map's timeout (beside its config)");
  });
  return problems;
}
