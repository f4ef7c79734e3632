import type { RefinementCtx } from 'zod';

/**
 * The largest whole number Weft stores in a PostgreSQL `integer` (a template version, an event's seq): a request
 * giving a larger one names nothing, and PostgreSQL would refuse it.
 */
export const maxStoredInt = 2_147_483_647;

/** A value met in the walk, with the key it was found under and its parent, to build its path only when needed. */
interface Step {
  value: unknown;
  key?: string | number;
  parent?: Step;
}

function pathOf(step: Step | undefined): Array<string | number> {
  const path: Array<string | number> = [];
  for (let at = step; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The path of the first string or key in `value` that holds U+0000 (NUL), which PostgreSQL's text and `jsonb`
 * cannot store. It walks with an explicit stack, and builds a path only for what it finds: a message may nest as
 * deep as its size allows, and recursion would overflow the call stack long before that.
 */
export function nulAt(value: unknown): Array<string | number> | undefined {
  const stack: Step[] = [{ value }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const current = step.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return pathOf(step);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(current) ? [...current.entries()] : Object.entries(current);
    // Pushed in reverse, so that the first NUL in document order is the one found.
    for (const [key, item] of entries.reverse()) {
      if (typeof key === 'string' && key.includes('\u0000')) return [...pathOf(step), key];
      stack.push({ value: item, key, parent: step });
    }
  }
  return undefined;
}

/**
 * A zod refinement for what the store records as it is sent (a room's entries, an approval's decision): a value
 * holding NUL is refused at its path, before anything is done with it, rather than failing the write after.
 */
export function refuseNul(value: unknown, ctx: RefinementCtx): void {
  const path = nulAt(value);
  if (path) ctx.addIssue({ code: 'custom', path, message: 'holds the character U+0000 (NUL), which cannot be stored' });
}
