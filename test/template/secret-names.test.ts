import { describe, expect, it } from 'vitest';
import { secretNames } from '../../src/template/secrets.js';

describe('secretNames: the secrets a template reads, which become markers in its runs', () => {
  it('finds each secret read by an expression, however deep the config and however many in one string', () => {
    const configs = [
      { url: 'http://127.0.0.1/x', headers: { authorization: 'Bearer {{ secrets.token }}' } },
      { body: ['plain', { nested: '{{ secrets.user }}:{{ secrets.`pass` }}' }] },
      { value: '{{ $uppercase(secrets.token) }}' },
    ];
    expect(secretNames(configs).sort()).toEqual(['pass', 'token', 'user']);
  });

  it('finds nothing in text outside expressions, in other scopes, or in a config without strings', () => {
    expect(secretNames([{ note: 'secrets.token is not read here' }, { value: '{{ input.secrets }}' }, { n: 1, on: true, none: null }])).toEqual([]);
    expect(secretNames(undefined)).toEqual([]);
  });

  it('skips an expression that does not parse, which an upload would have refused', () => {
    expect(secretNames({ a: '{{ secrets.( }}', b: '{{ secrets.ok }}' })).toEqual(['ok']);
  });
});
