import type { z } from 'zod';

/** The parts of a Zod schema's definition that lead to an object's keys. */
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  in?: Schema;
}
interface Schema {
  _zod: { def: Def };
}

/** Wrappers whose keys are their inner schema's. */
const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The keys the object schema at `path` below `schema` knows; undefined where it cannot tell (a union, a record). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let def: Def | undefined = (schema as unknown as Schema)._zod.def;
  const unwrap = () => {
    for (let d = def; d; d = def) {
      if (wrappers.has(d.type)) def = d.innerType?._zod.def;
      else if (d.type === 'pipe') def = d.in?._zod.def;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    if (def?.type === 'object' && typeof key === 'string') def = def.shape?.[key]?._zod.def;
    else if (def?.type === 'array' && typeof key === 'number') def = def.element?._zod.def;
    else return undefined;
  }
  unwrap();
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`, ignoring case. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[x.length]![y.length]!;
}

/** The known key `key` was most likely meant to be: a typo of it (two edits at most) or its start (`form`). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; score: number } | undefined;
  for (const candidate of known) {
    const edits = distance(key, candidate);
    const score = edits <= Math.min(2, Math.floor(candidate.length / 3)) ? edits : key.length >= 3 && candidate.toLowerCase().startsWith(key.toLowerCase()) ? 3 : Infinity;
    if (score < (best?.score ?? Infinity)) best = { key: candidate, score };
  }
  return best?.key;
}

/**
 * Says more about keys an object does not know: the key that was likely meant, or, for a key that belongs one
 * level up (`misplaced`, such as a node's `retry` written inside its `config`), where it goes.
 */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[] | undefined, misplaced?: { keys: readonly string[]; where: string }): string | undefined {
  const hints = keys.map((key) => {
    if (misplaced?.keys.includes(key)) return `"${key}" ${misplaced.where}`;
    const meant = known ? closestKey(key, known) : undefined;
    return meant ? `unknown key "${key}": did you mean "${meant}"?` : undefined;
  });
  if (hints.every((h) => h === undefined)) return undefined;
  return keys.map((key, i) => hints[i] ?? `unknown key "${key}"`).join('; ');
}
