import { describe, expect, it } from 'vitest';
import { nulAt } from '../../src/db/storable.js';

describe('nulAt: where a value holds what the store cannot', () => {
  it('gives the path of the first string or key holding NUL, in document order', () => {
    expect(nulAt({ a: [1, { b: 'x', 'k\u0000': 2 }], c: 'y\u0000' })).toEqual(['a', 1, 'k\u0000']);
    expect(nulAt({ a: ['ok', 'n\u0000'] })).toEqual(['a', 1]);
    expect(nulAt('\u0000')).toEqual([]);
    expect(nulAt({ a: ['ok'], b: null, c: 3 })).toBeUndefined();
  });

  it('walks a value nested as deep as a message of a megabyte allows, without overflowing the stack', () => {
    const depth = 400_000;
    const deep = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`) as unknown;
    expect(nulAt({ context: deep })).toHaveLength(depth + 1);
  });
});
