import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { TemplateProblem } from '../template/source.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
// Run inputs get the schema's `default`s filled in, as users of JSON Schema forms expect.
const withDefaults = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
const compiled = new Map<string, ValidateFunction>();
const compiledWithDefaults = new Map<string, ValidateFunction>();

function pathOf(error: ErrorObject, root: string): string {
  const parts = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return [root, ...parts].map((p, i) => (/^\d+$/.test(p) && i > 0 ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Checks a value against a JSON Schema (2020-12), returning every problem with its path below `root`
 * (`data.items[2].price`). With a `key`, the compiled schema is kept for the next check under that key.
 */
export function checkAgainstSchema(schema: Record<string, unknown> | undefined, value: unknown, root: string, key?: string): TemplateProblem[] {
  if (!schema) return [];
  let validate = key === undefined ? undefined : compiled.get(key);
  if (!validate) {
    // A one-off schema (an approval's form) compiles on a fresh instance: its `$id` must not clash with the next.
    validate = key === undefined ? new Ajv2020({ allErrors: true, strict: false }).compile(schema) : ajv.compile(schema);
    if (key !== undefined) compiled.set(key, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({ path: pathOf(e, root), message: e.message ?? 'is invalid' }));
}

/**
 * Checks a run's input against its template version's `inputSchema` (JSON Schema 2020-12), returning the input
 * with the schema's `default`s filled in (a copy: the caller's value is left alone) and every problem with the
 * path of what is wrong (`input.items[2].price`). Compiled schemas are kept per version key.
 */
export function checkRunInput(key: string, schema: Record<string, unknown> | undefined, input: unknown): { input: unknown; problems: TemplateProblem[] } {
  if (!schema) return { input, problems: [] };
  let validate = compiledWithDefaults.get(key);
  if (!validate) {
    validate = withDefaults.compile(schema);
    compiledWithDefaults.set(key, validate);
  }
  const filled = structuredClone(input);
  if (validate(filled)) return { input: filled, problems: [] };
  return { input, problems: (validate.errors ?? []).map((e) => ({ path: pathOf(e, 'input'), message: e.message ?? 'is invalid' })) };
}
