import { checkConfigs, zodProblems } from './check-configs.js';
import { checkExpressions } from './check-expressions.js';
import { convertShape } from './convert/index.js';
import { checkNodeGraph, upstreamNodes } from './graph.js';
import { checkJsonSchema } from './json-schema-check.js';
import { looseNodes } from './loose.js';
import { templateSchema, type Template } from './model.js';
import { locateProblems, type PathProblem } from './problems.js';
import { configTimeoutProblems } from './attempt-timeout.js';
import { retryProblems } from './retry.js';
import { checkValueSafety } from './safety.js';
import { parseTemplateSource, type Locator, type TemplateProblem } from './source.js';

/** A template that passed every check, or every problem found in it. */
export type ValidationResult = { ok: true; template: Template } | { ok: false; errors: TemplateProblem[] };

/**
 * Problems in a converted template have canonical paths (`nodes[1].config`); to place them in the text, the
 * node's index is swapped for where that node was written in the older shape (`steps[1]`, `nodes[3]`).
 */
function throughOrigins(locate: Locator, origins: ReadonlyArray<Array<string | number>> | undefined): Locator {
  if (!origins) return locate;
  return (path) => {
    const origin = path[0] === 'nodes' && typeof path[1] === 'number' ? origins[path[1]] : undefined;
    return origin ? locate([...origin, ...path.slice(2)]) : locate(path.slice(0, 1));
  };
}

/** Every check after conversion, on a value that is known to be safe to walk. */
function checkCanonical(value: unknown): { problems: PathProblem[]; template?: Template } {
  const parsed = templateSchema.safeParse(value);
  const problems = parsed.success ? [] : zodProblems(parsed.error.issues, [], templateSchema);
  const nodes = looseNodes(value);
  problems.push(...checkNodeGraph(nodes));
  const configs = checkConfigs(nodes);
  problems.push(...configs.problems);
  problems.push(...checkExpressions(nodes, (value as { output?: unknown } | null)?.output, upstreamNodes(nodes), configs.configs));
  const inputSchema = (value as { inputSchema?: unknown } | null)?.inputSchema;
  if (inputSchema !== null && typeof inputSchema === 'object' && !Array.isArray(inputSchema)) problems.push(...checkJsonSchema(inputSchema, ['inputSchema']));
  if (parsed.success) problems.push(...retryProblems(parsed.data), ...configTimeoutProblems(parsed.data));
  if (!parsed.success || problems.length > 0) return { problems };
  const template = parsed.data;
  template.nodes.forEach((node, i) => (node.config = configs.configs.get(i)));
  return { problems, template };
}

/**
 * Checks a template given as a value (from JSON, YAML or code): its safety (depth, keys, size), its shape
 * (older shapes are converted first, as `toCanonical` does), each node's config against its node type, its
 * graph, its expressions and its input schema. Every problem is reported, not the first only. Never throws.
 *
 * @returns the canonical template, with node config defaults applied, or the problems.
 */
export function validateTemplate(value: unknown, locate: Locator = () => undefined): ValidationResult {
  const unsafe = checkValueSafety(value);
  if (unsafe.length > 0) return { ok: false, errors: locateProblems(unsafe, locate) };
  const converted = convertShape(value);
  if ('problems' in converted) return { ok: false, errors: locateProblems(converted.problems, locate) };
  const { problems, template } = checkCanonical(converted.value);
  if (!template) return { ok: false, errors: locateProblems(problems, throughOrigins(locate, converted.origins)) };
  return { ok: true, template };
}

/** Parses template text (YAML or JSON) and validates it, with line and column on every problem that has one. */
export function validateTemplateSource(text: string): ValidationResult {
  const source = parseTemplateSource(text);
  if (source.errors.length > 0) return { ok: false, errors: source.errors };
  return validateTemplate(source.value, source.locate);
}
