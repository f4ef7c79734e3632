import { Ajv2020 } from 'ajv/dist/2020.js';
import type { PathProblem } from './problems.js';

/** The one JSON Schema dialect Weft reads. */
const draft202012 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Checks that a value is a usable JSON Schema (2020-12): valid against the meta-schema, with unknown keywords
 * refused (they are almost always typos, such as `requird`) and every `$ref` resolvable. Formats are not
 * checked, so `format: email` is accepted without a format plug-in.
 *
 * @returns problems with paths below `at`; none when the schema is usable.
 */
export function checkJsonSchema(schema: unknown, at: Array<string | number>): PathProblem[] {
  // A fresh instance per check: a schema's `$id` is registered on compile and would clash with the next upload.
  const ajv = new Ajv2020({ strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, validateFormats: false, logger: false });
  const dialect = (schema as { $schema?: unknown }).$schema;
  if (dialect !== undefined && (typeof dialect !== 'string' || dialect.replace(/#$/, '') !== draft202012)) {
    // Ajv knows only the dialect it was made for, and throws for any other; draft-07's keywords differ (`items`
    // as a list, `definitions`), so such a schema is not read as 2020-12 unawares.
    return [{ path: [...at, '$schema'], message: `Weft reads JSON Schema 2020-12: give "${draft202012}" here, or no $schema (most draft-07 schemas read the same)` }];
  }
  if (!ajv.validateSchema(schema as object)) {
    const seen = new Set<string>();
    const problems: PathProblem[] = [];
    for (const error of ajv.errors ?? []) {
      // The meta-schema's anyOf alternatives report the same spot several times; the first says it best.
      if (seen.has(error.instancePath)) continue;
      seen.add(error.instancePath);
      const keys = error.instancePath.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      problems.push({ path: [...at, ...keys], message: `not a valid JSON Schema: ${error.message ?? 'invalid'}` });
    }
    return problems;
  }
  try {
    ajv.compile(schema as object);
    return [];
  } catch (err) {
    return [{ path: at, message: `not a usable JSON Schema: ${(err as Error).message}` }];
  }
}
