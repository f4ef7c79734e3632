import { describe, expect, it } from 'vitest';
import { sourceLimits } from '../../src/template/source.js';
import { valueLimits } from '../../src/template/safety.js';
import { validateTemplate, validateTemplateSource } from '../../src/template/validate.js';
import { doc } from './invalid-cases.js';

function problems(result: ReturnType<typeof validateTemplate>): Array<{ path: string; message: string; line?: number }> {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

describe('hostile input stays harmless', () => {
  it('refuses text over the size limit before parsing it', () => {
    const text = `${doc('{ id: a, type: transform, config: { value: 1 } }')}description: "${'x'.repeat(sourceLimits.maxBytes)}"\n`;
    expect(problems(validateTemplateSource(text))[0]!.message).toMatch(/larger than/);
  });

  it('stops a YAML alias bomb quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const found = problems(validateTemplateSource(lines.join('\n')));
    expect(found[0]!.message).toMatch(/alias/i);
  });

  it.each([
    ['flow sequences', '['.repeat(100_000)],
    ['flow mappings', '{a: '.repeat(50_000)],
    ['block sequences', `${'- '.repeat(200_000)}x`],
  ])('rejects absurdly deep %s without overflowing the stack', (_kind, text) => {
    expect(problems(validateTemplateSource(text)).length).toBeGreaterThan(0);
  });

  it('rejects nesting deeper than the limit with a clear message, from text and from values', () => {
    const depth = valueLimits.maxDepth + 10;
    const text = `${doc(`{ id: a, type: transform, config: { value: ${'['.repeat(depth)}1${']'.repeat(depth)} } }`)}`;
    expect(problems(validateTemplateSource(text)).some((p) => /nests deeper than 64/.test(p.message))).toBe(true);
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i++) value = { v: value };
    const deep = problems(validateTemplate({ id: 't', name: 'T', nodes: [{ id: 'a', type: 'transform', config: { value } }] }));
    expect(deep).toHaveLength(1);
    expect(deep[0]!.message).toMatch(/nests deeper/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects "%s" keys and pollutes nothing', (key) => {
    const text = doc(`{ id: a, type: transform, config: { value: { ${key}: { polluted: yes } } } }`);
    const found = problems(validateTemplateSource(text));
    expect(found).toContainEqual(expect.objectContaining({ path: `nodes[0].config.value.${key}`, line: 4 }));
    const json = JSON.parse(`{"id":"t","name":"T","${key}":{"polluted":true},"nodes":[{"id":"a","type":"transform","config":{"value":{"${key}":{"polluted":true}}}}]}`) as unknown;
    expect(problems(validateTemplate(json)).map((p) => p.path)).toEqual([key, `nodes[0].config.value.${key}`]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('treats prototype names as plain unknown node types', () => {
    for (const type of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(problems(validateTemplate({ id: 't', name: 'T', nodes: [{ id: 'a', type, config: {} }] }))[0]!.message).toMatch(/unknown node type/);
    }
  });

  it('refuses very long strings and summarises floods of problems', () => {
    const long = problems(validateTemplate({ id: 't', name: 'T', nodes: [{ id: 'a', type: 'transform', config: { value: 'x'.repeat(valueLimits.maxStringLength + 1) } }] }));
    expect(long[0]).toMatchObject({ path: 'nodes[0].config.value', message: expect.stringMatching(/longer than/) as unknown });
    const many = problems(validateTemplate({ id: 't', name: 'T', nodes: Array.from({ length: 400 }, () => ({ id: 'BAD', type: 'nope' })) }));
    expect(many.length).toBeLessThanOrEqual(101);
    expect(many.at(-1)!.message).toMatch(/more problems not shown/);
  });

  it('refuses the NUL character, which the store cannot hold, in strings and keys, at its path', () => {
    const found = problems(validateTemplate({ id: 't', name: 'a\u0000b', nodes: [{ id: 'a', type: 'transform', config: { value: { 'k\u0000': 1, v: 'x\u0000' } } }] }));
    expect(found.map((p) => p.path)).toEqual(['name', 'nodes[0].config.value.k\u0000', 'nodes[0].config.value.v']);
    expect(found.map((p) => p.message.replace(/ holds.*/, ''))).toEqual(['this string', 'this key', 'this string']);
    expect(found.every((p) => p.message.endsWith('the character U+0000 (NUL), which a template cannot store'))).toBe(true);
    expect(problems(validateTemplateSource('id: t\nname: "a\\0b"\nnodes: []\n'))[0]).toMatchObject({ path: 'name', line: 2 });
  });

  it('refuses half of a surrogate pair, which is no character, and takes a whole one', () => {
    const found = problems(validateTemplate({ id: 't', name: 'cut \ud83d', description: 'smile \ud83d\ude00', nodes: [{ id: 'a', type: 'transform', config: { value: { '\ude00k': 1 } } }] }));
    expect(found).toEqual([
      { path: 'name', message: 'this string holds U+D83D, half of a surrogate pair without its other half, which a template cannot store' },
      { path: 'nodes[0].config.value.\ude00k', message: 'this key holds U+DE00, half of a surrogate pair without its other half, which a template cannot store' },
    ]);
    expect(problems(validateTemplateSource('id: t\nname: "a\\ud83d"\nnodes: []\n'))[0]).toMatchObject({ path: 'name', line: 2 });
  });

  it('refuses huge node counts and edge lists', () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => ({ id: `n${i}`, type: 'transform', config: { value: i } }));
    expect(problems(validateTemplate({ id: 't', name: 'T', nodes }))[0]!.path).toBe('nodes');
    const edges = Array.from({ length: 1999 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` }));
    expect(problems(validateTemplate({ id: 't', name: 'T', nodes: nodes.slice(0, 2000), edges }))[0]!.path).toBe('nodes');
  });

  it('stops branch conditions that double at every merge', () => {
    const nodes: unknown[] = [{ id: 'c0', type: 'condition', condition: '{{ input.x }}', true_edge: 'c1', false_edge: 'c1' }];
    const edges: unknown[] = [];
    for (let i = 1; i < 60; i++) {
      nodes.push({ id: `c${i}`, type: 'condition', condition: `{{ input.x${i} }}`, true_edge: `c${i + 1}`, false_edge: `c${i + 1}` });
      edges.push({ source: `c${i - 1}`, target: `c${i}`, sourceHandle: 'true' }, { source: `c${i - 1}`, target: `c${i}`, sourceHandle: 'false' });
    }
    nodes.push({ id: 'c60', type: 'transform', config: { value: 1 } });
    edges.push({ source: 'c59', target: 'c60', sourceHandle: 'true' });
    expect(problems(validateTemplate({ id: 't', name: 'T', nodes, edges })).some((p) => /too complex/.test(p.message))).toBe(true);
  });

  it('ignores YAML tags that would build other objects', () => {
    const result = validateTemplateSource(`${doc('{ id: a, type: transform, config: { value: !!js/function "function () { return 1 }" } }')}`);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect((result.template.nodes[0]!.config as { value: unknown }).value).toBe('function () { return 1 }');
  });
});
