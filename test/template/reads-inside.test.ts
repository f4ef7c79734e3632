import { describe, expect, it } from 'vitest';
import { readsInsideOutputs, scopeUse } from '../../src/template/references.js';

describe('readsInsideOutputs: which expressions need a stored output rather than its reference', () => {
  const big = new Set(['big']);

  it('is false for an output handed on whole, as the entire string', () => {
    expect(readsInsideOutputs('{{ nodes.big.output }}', big)).toBe(false);
    expect(readsInsideOutputs({ body: '{{nodes.big.output}}', url: 'http://127.0.0.1/x' }, big)).toBe(false);
  });

  it('is true for a field, an index, a filter or a function of the output', () => {
    for (const value of [
      '{{ nodes.big.output.body }}', '{{ nodes.big.output[0] }}', '{{ nodes.big.output[i > 2] }}',
      '{{ $count(nodes.big.output) }}', '{{ $string(nodes.big.output) }}', { deep: ['x', '{{ nodes.big.output.status = 200 }}'] },
    ]) expect(readsInsideOutputs(value, big), JSON.stringify(value)).toBe(true);
  });

  it('is true when the output is part of a longer string, or `nodes` is read as a whole', () => {
    expect(readsInsideOutputs('size: {{ nodes.big.output }}', big)).toBe(true);
    expect(readsInsideOutputs('{{ $keys(nodes) }}', big)).toBe(true);
    expect(readsInsideOutputs('{{ nodes.big }}', big)).toBe(true);
  });

  it('is false for other nodes, other fields of the node, plain text and expressions that do not parse', () => {
    expect(readsInsideOutputs('{{ nodes.small.output.body }}', big)).toBe(false);
    expect(readsInsideOutputs('{{ nodes.big.status }}', big)).toBe(false);
    expect(readsInsideOutputs('nodes.big.output.body', big)).toBe(false);
    expect(readsInsideOutputs('{{ nodes.big.output.( }}', big)).toBe(false);
    expect(readsInsideOutputs('{{ nodes.big.output.body }}', new Set())).toBe(false);
  });
});

describe('scopeUse: what a map must hand its per-item expressions', () => {
  it('names the roots and nodes read, through `$$` paths too', () => {
    const use = scopeUse({ url: '{{ input.base }}/{{ item }}', body: '{{ $$.nodes.a.output & nodes.b.status }}' });
    expect([...use.roots].sort()).toEqual(['input', 'item', 'nodes']);
    expect([...use.nodes].sort()).toEqual(['a', 'b']);
    expect([use.allNodes, use.whole]).toEqual([false, false]);
  });

  it('reads every node when `nodes` is read as a whole, and everything when the scope itself is', () => {
    expect(scopeUse('{{ $keys(nodes) }}')).toMatchObject({ allNodes: true, whole: false });
    for (const value of ['{{ $$ }}', '{{ $ }}', '{{ $keys($$) }}', "{{ $lookup($$, 'input') }}", '{{ $count($) }}']) {
      expect(scopeUse(value), value).toMatchObject({ allNodes: true, whole: true });
    }
  });

  it('does not count `$` where it is the current value, in a filter or a later step', () => {
    for (const value of ['{{ item.prices[$ > 2] }}', '{{ nodes.a.output.$ }}', '{{ item.tags.$uppercase($) }}']) {
      expect(scopeUse(value), value).toMatchObject({ whole: false });
    }
  });
});

describe('scopeUse: the input fields read', () => {
  it('names the fields read by name, and the whole input when it is read otherwise', () => {
    expect(scopeUse({ a: '{{ input.prefix & item }}', b: '{{ $$.input.tag }}' }).inputFields).toEqual(new Set(['prefix', 'tag']));
    expect(scopeUse('{{ item }}').inputFields).toEqual(new Set());
    for (const value of ['{{ input }}', "{{ $lookup(input, 'x') }}", '{{ input.* }}', '{{ input[0] }}', '{{ $keys($$) }}']) {
      expect(scopeUse(value).inputFields, value).toBe('whole');
    }
  });
});
