import type { z } from 'zod';
import { templateSchema, type Template } from './model.js';
import { nodeTypes } from './node-types/index.js';
import { formatPath, parseTemplateSource, type Locator, type TemplateProblem } from './source.js';
import { checkGraph } from './graph.js';

/** A template that passed every check, or every problem found in it. */
export type ValidationResult = { ok: true; template: Template } | { ok: false; errors: TemplateProblem[] };

function fromZod(issues: z.core.$ZodIssue[], prefix: ReadonlyArray<string | number>, locate: Locator): TemplateProblem[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')];
    return { path: formatPath(path), message: issue.message, ...locate(path) };
  });
}

/**
 * Checks a template given as a value (from JSON, YAML or code): its shape, each node's config against its node
 * type, and its graph. Every problem is reported, not the first only.
 */
export function validateTemplate(value: unknown, locate: Locator = () => undefined): ValidationResult {
  const parsed = templateSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: fromZod(parsed.error.issues, [], locate) };
  const template = parsed.data;
  const errors: TemplateProblem[] = [];
  template.nodes.forEach((node, i) => {
    const definition = nodeTypes[node.type];
    if (!definition) {
      errors.push({ path: formatPath(['nodes', i, 'type']), message: `unknown node type "${node.type}" (known: ${Object.keys(nodeTypes).join(', ')})`, ...locate(['nodes', i, 'type']) });
      return;
    }
    const config = definition.config.safeParse(node.config ?? {});
    if (config.success) node.config = config.data;
    else errors.push(...fromZod(config.error.issues, ['nodes', i, 'config'], locate));
  });
  errors.push(...checkGraph(template).map((p) => ({ ...p, path: formatPath(p.path), ...locate(p.path) })));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, template };
}

/** Parses template text (YAML or JSON) and validates it, with line and column on every problem that has one. */
export function validateTemplateSource(text: string): ValidationResult {
  const source = parseTemplateSource(text);
  if (source.errors.length > 0) return { ok: false, errors: source.errors };
  return validateTemplate(source.value, source.locate);
}
