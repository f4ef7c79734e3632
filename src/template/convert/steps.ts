import type { PathProblem } from '../problems.js';
import { asRecord, canonicalType, templateFields, unknownTypeMessage, type Conversion } from './shared.js';

/**
 * Converts the `steps` shape: a list of steps, each `{id?, type, config | with, dependencies?, if?}`.
 *
 * - `dependencies` becomes `needs`, `with` becomes `config`, `if` becomes `when`.
 * - When no step has `dependencies` (or `needs`), the steps run in order: each needs the one before it.
 * - A step without `id` is named `step-<n>` (1-based).
 */
export function convertSteps(value: Record<string, unknown>, steps: unknown[]): Conversion {
  const problems: PathProblem[] = [];
  // A step that names what it needs, by either name, orders the steps itself.
  const sequential = !steps.some((step) => asRecord(step)?.dependencies !== undefined || asRecord(step)?.needs !== undefined);
  const nodes: Array<Record<string, unknown>> = [];
  steps.forEach((raw, i) => {
    const step = asRecord(raw);
    if (!step) {
      problems.push({ path: ['steps', i], message: 'a step must be an object with at least a type' });
      return;
    }
    const type = typeof step.type === 'string' ? canonicalType(step.type) : undefined;
    if (type === undefined) {
      problems.push({ path: ['steps', i, 'type'], message: typeof step.type === 'string' ? unknownTypeMessage('step', step.type) : 'a step needs a type' });
      return;
    }
    const { id, dependencies, with: withConfig, if: condition, config, needs, type: _type, ...rest } = step;
    const node: Record<string, unknown> = { id: id ?? `step-${i + 1}`, type, ...rest };
    const previous = nodes.at(-1)?.id;
    if (sequential && previous !== undefined) node.needs = [previous];
    else if (dependencies !== undefined || needs !== undefined) node.needs = dependencies ?? needs;
    if (condition !== undefined) node.when = condition;
    node.config = config ?? withConfig ?? {};
    nodes.push(node);
  });
  if (problems.length > 0) return { problems };
  return { value: { ...templateFields(value, ['steps']), nodes }, origins: steps.map((_, i) => ['steps', i]) };
}
