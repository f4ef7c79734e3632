import { templateSchemaLimits } from '../model.js';
import { locateProblems } from '../problems.js';
import type { TemplateProblem } from '../source.js';
import { convertGraph } from './graph.js';
import { asRecord, type Conversion } from './shared.js';
import { convertSteps } from './steps.js';

export type { Conversion } from './shared.js';

/** Older shapes list nodes (and edges) like the canonical one, under the same bound. */
const maxListLength = templateSchemaLimits.maxNodes * 4;

/**
 * Converts an older template shape to the canonical one, recognising it by shape: `nodes` with `edges`
 * (n8n / Dify style), or `steps`. Anything else is returned as it is, for the schema to judge.
 */
export function convertShape(value: unknown): Conversion | { value: unknown; origins?: undefined } {
  const template = asRecord(value);
  if (!template) return { value };
  for (const key of ['nodes', 'edges', 'steps']) {
    const list = template[key];
    if (Array.isArray(list) && list.length > maxListLength) return { problems: [{ path: [key], message: `at most ${maxListLength} ${key}` }] };
  }
  if (Array.isArray(template.nodes) && Array.isArray(template.edges)) return convertGraph(template, template.nodes, template.edges);
  if (Array.isArray(template.steps) && template.nodes === undefined) return convertSteps(template, template.steps);
  return { value };
}

/**
 * Converts an older template shape to canonical form; a canonical template comes back unchanged. Problems
 * have paths in the older shape.
 *
 * @example toCanonical({ id: 'x', name: 'X', steps: [{ type: 'transform', with: { value: 1 } }] })
 * // { value: { id: 'x', name: 'X', nodes: [{ id: 'step-1', type: 'transform', config: { value: 1 } }] } }
 */
export function toCanonical(value: unknown): { value: unknown } | { errors: TemplateProblem[] } {
  const result = convertShape(value);
  return 'problems' in result ? { errors: locateProblems(result.problems, () => undefined) } : { value: result.value };
}
