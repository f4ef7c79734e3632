import type { RefinementCtx } from 'zod';

/** The path of the first string or key in `value` that holds U+0000 (NUL), which PostgreSQL's text and `jsonb` cannot store. */
export function nulAt(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof key === 'string' && key.includes('\u0000')) return [...path, key];
    const found = nulAt(item, [...path, key]);
    if (found) return found;
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
