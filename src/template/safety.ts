import type { PathProblem } from './problems.js';

/** Bounds on a template's value that keep hostile input harmless, whatever route it came by. */
export const valueLimits = {
  /** Objects and arrays inside one another; real templates stay well under 20. */
  maxDepth: 64,
  /** Characters in one string (and so in one expression). */
  maxStringLength: 100_000,
  /** Values (objects, arrays, scalars) in the whole template. */
  maxValues: 200_000,
} as const;

/**
 * Keys that reach `Object.prototype` when code copies objects key by key. They have no use in a template, so
 * they are refused outright rather than quietly dropped.
 */
export const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const nul = '\u0000';

/** Half of a surrogate pair without its other half: text cut inside an emoji, which UTF-8 cannot carry. */
export const halfSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What in `text` PostgreSQL's text cannot hold, so a template (stored as text and `jsonb`) cannot either: U+0000,
 * and half of a surrogate pair (text cut inside an emoji), which is no character at all.
 */
function notStorableIn(text: string): string | undefined {
  if (text.includes(nul)) return 'the character U+0000 (NUL)';
  const half = halfSurrogate.exec(text)?.[0];
  return half === undefined ? undefined : `U+${half.charCodeAt(0).toString(16).toUpperCase()}, half of a surrogate pair without its other half`;
}

const notStorableMessage = (what: 'string' | 'key', character: string) => `this ${what} holds ${character}, which a template cannot store`;

/**
 * Checks a template value before anything else looks at it: nesting depth, forbidden keys, string length, text
 * PostgreSQL cannot store and total size. It walks with an explicit stack, so depth cannot overflow the call stack here;
 * values that fail this check are never handed to the recursive checks that follow.
 */
export function checkValueSafety(value: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  let seen = 0;
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (++seen > valueLimits.maxValues) {
      return [{ path: [], message: `the template holds more than ${valueLimits.maxValues} values` }];
    }
    if (typeof current === 'string') {
      if (current.length > valueLimits.maxStringLength) problems.push({ path, message: `this string is longer than ${valueLimits.maxStringLength} characters` });
      else {
        const character = notStorableIn(current);
        if (character) problems.push({ path, message: notStorableMessage('string', character) });
      }
      continue;
    }
    if (current === null || typeof current !== 'object') {
      if (typeof current === 'number' && !Number.isFinite(current)) problems.push({ path, message: 'numbers must be finite' });
      continue;
    }
    if (path.length >= valueLimits.maxDepth) {
      problems.push({ path: path.slice(0, valueLimits.maxDepth), message: `the template nests deeper than ${valueLimits.maxDepth} levels` });
      continue;
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(current)
      ? current.map((item, i) => [i, item])
      : Object.keys(current).map((key) => [key, (current as Record<string, unknown>)[key]]);
    // Pushed in reverse so that problems come out in document order.
    for (const [key, item] of entries.reverse()) {
      const character = typeof key === 'string' ? notStorableIn(key) : undefined;
      if (typeof key === 'string' && forbiddenKeys.has(key)) problems.push({ path: [...path, key], message: `"${key}" is not allowed as a key` });
      else if (character) problems.push({ path: [...path, key], message: notStorableMessage('key', character) });
      else stack.push({ value: item, path: [...path, key] });
    }
  }
  return problems;
}
