import { describe, expect, it } from 'vitest';
import { validateTemplateSource } from '../../src/template/validate.js';
import { allCases, doc } from './invalid-cases.js';

describe('broken templates are rejected with the path, line and column of each problem', () => {
  it('has a wide corpus', () => {
    expect(allCases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(allCases.map((c) => c.name)).size).toBe(allCases.length);
  });

  it.each(allCases.map((c) => [c.name, c] as const))('%s', (_name, { text, errors }) => {
    const result = validateTemplateSource(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const expected of errors) {
      const match = result.errors.find(
        (e) =>
          e.path === expected.path &&
          (expected.line === undefined || e.line === expected.line) &&
          (expected.column === undefined || e.column === expected.column) &&
          (expected.message === undefined || expected.message.test(e.message)),
      );
      expect(match, `expected ${JSON.stringify({ ...expected, message: String(expected.message) })} among ${JSON.stringify(result.errors, null, 1)}`).toBeDefined();
    }
  });
});

describe('all problems are reported at once', () => {
  it('reports schema, config, graph, expression and input-schema problems of one template together', () => {
    const text = [
      'id: t',
      'name: T',
      'inputSchema: { type: objekt }',
      'nodes:',
      '  - { id: a, type: http, config: { method: FETCH } }',
      '  - { id: b, type: transform, needs: [a, ghost], timeout: soon, config: { value: "{{ $sum( }}" } }',
      '  - { id: c, type: delay, needs: [d], config: { duration: 1s } }',
      '  - { id: d, type: delay, needs: [c], config: { duration: 2s } }',
      '  - { id: b, type: approval, config: { prompt: ok? } }',
      'output: "{{ nodes.nobody.output }}"',
    ].join('\n');
    const result = validateTemplateSource(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const where = result.errors.map((e) => `${e.path}@${e.line}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'inputSchema.type@3',
        'nodes[0].config.method@5',
        'nodes[0].config.url@5',
        'nodes[1].needs[1]@6',
        'nodes[1].timeout@6',
        'nodes[1].config.value@6',
        'nodes[2].needs@7',
        'nodes[4].id@9',
        'output@10',
      ]),
    );
  });

  it('reports crossed retry intervals once, where they are written', () => {
    const text = doc('{ id: a, type: http, retry: { maxAttempts: 2 }, config: { url: "http://127.0.0.1/" } }').replace('nodes:', 'defaults: { retry: { initialInterval: 5m } }\nnodes:');
    const result = validateTemplateSource(text);
    expect(result.ok ? [] : result.errors.map((e) => `${e.path}@${e.line}`)).toEqual(['defaults.retry.initialInterval@3']);
  });

  it('keeps checking the other nodes when one node is malformed', () => {
    const result = validateTemplateSource(doc('{ id: A, type: 7 }', '{ id: b, type: transform, config: { value: "{{ nodes.zz.output }}" } }'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['nodes[0].id', 'nodes[0].type', 'nodes[1].config.value']));
  });
});
