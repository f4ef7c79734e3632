import { describe, expect, it } from 'vitest';
import { toCanonical } from '../../src/template/convert/index.js';
import { validateTemplate } from '../../src/template/validate.js';

const canonical = (value: unknown): Record<string, unknown> => {
  const result = toCanonical(value);
  if ('errors' in result) throw new Error(JSON.stringify(result.errors));
  return result.value as Record<string, unknown>;
};

describe('older shapes are converted to canonical form', () => {
  it('leaves a canonical template as it is', () => {
    const template = { id: 't', name: 'T', nodes: [{ id: 'a', type: 'transform', config: { value: 1 } }] };
    expect(canonical(template)).toBe(template);
  });

  it('runs steps without dependencies in order, naming unnamed steps', () => {
    expect(canonical({ id: 't', name: 'T', steps: [{ type: 'http', with: { url: 'http://127.0.0.1/' } }, { id: 'b', type: 'transform', config: { value: 1 } }, { type: 'wait', with: { duration: '1s' } }] }).nodes).toEqual([
      { id: 'step-1', type: 'http', config: { url: 'http://127.0.0.1/' } },
      { id: 'b', type: 'transform', needs: ['step-1'], config: { value: 1 } },
      { id: 'step-3', type: 'delay', needs: ['b'], config: { duration: '1s' } },
    ]);
  });

  it('maps dependencies to needs and if to when, keeping the other node fields', () => {
    expect(canonical({ id: 't', name: 'T', steps: [{ id: 'a', type: 'transform', with: { value: 1 } }, { id: 'b', type: 'transform', dependencies: ['a'], if: '{{ nodes.a.output }}', retry: { maxAttempts: 2 }, with: { value: 2 } }] }).nodes).toEqual([
      { id: 'a', type: 'transform', config: { value: 1 } },
      { id: 'b', type: 'transform', needs: ['a'], when: '{{ nodes.a.output }}', retry: { maxAttempts: 2 }, config: { value: 2 } },
    ]);
  });

  it('orders steps by their own needs when a step gives them, as by dependencies', () => {
    expect(canonical({ id: 't', name: 'T', steps: [{ id: 'a', type: 'transform', with: { value: 1 } }, { id: 'b', type: 'transform', with: { value: 2 } }, { id: 'c', type: 'transform', needs: ['a'], with: { value: 3 } }] }).nodes).toEqual([
      { id: 'a', type: 'transform', config: { value: 1 } },
      { id: 'b', type: 'transform', config: { value: 2 } },
      { id: 'c', type: 'transform', needs: ['a'], config: { value: 3 } },
    ]);
  });

  it('names every unknown step type', () => {
    const result = toCanonical({ id: 't', name: 'T', steps: [{ type: 'shell' }, { type: 'transform' }, { type: 'email' }] });
    expect(result).toEqual({ errors: [expect.objectContaining({ path: 'steps[0].type', message: expect.stringContaining('"shell"') as unknown }), expect.objectContaining({ path: 'steps[2].type', message: expect.stringContaining('"email"') as unknown })] });
  });

  it('turns a branch into when conditions and drops start and end', () => {
    const value = canonical({
      id: 't',
      name: 'T',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'fetch', type: 'httpRequest', parameters: { url: 'http://127.0.0.1/' } },
        { id: 'check', type: 'condition', data: { condition: 'nodes.fetch.output.status = 200' }, true_edge: 'good', false_edge: 'e-bad' },
        { id: 'good', type: 'transform', config: { value: 1 } },
        { id: 'bad', type: 'transform', config: { value: 2 } },
        { id: 'again', type: 'if', condition: '{{ input.twice }}', true_edge: 'twice' },
        { id: 'twice', type: 'transform', config: { value: 3 } },
        { id: 'end', type: 'end', data: { output: '{{ nodes.good.output }}' } },
      ],
      edges: [
        { source: 'start', target: 'fetch' },
        { source: 'fetch', target: 'check' },
        { source: 'check', target: 'good' },
        { id: 'e-bad', source: 'check', target: 'bad' },
        { source: 'good', target: 'again' },
        { source: 'again', target: 'twice' },
        { source: 'twice', target: 'end' },
      ],
    });
    expect(value.nodes).toEqual([
      { id: 'fetch', type: 'http', config: { url: 'http://127.0.0.1/' } },
      { id: 'good', type: 'transform', needs: ['fetch'], when: '{{ $truthy(nodes.fetch.output.status = 200) }}', config: { value: 1 } },
      { id: 'bad', type: 'transform', needs: ['fetch'], when: '{{ $not($truthy(nodes.fetch.output.status = 200)) }}', config: { value: 2 } },
      { id: 'twice', type: 'transform', needs: ['good'], when: '{{ $truthy(input.twice) }}', config: { value: 3 } },
    ]);
    expect(value.output).toBe('{{ nodes.good.output }}');
    expect(value).not.toHaveProperty('edges');
    expect(validateTemplate(value).ok).toBe(true);
  });

  it('joins chained conditions with and, and merging branches with or', () => {
    const value = canonical({
      id: 't',
      name: 'T',
      nodes: [
        { id: 'a', type: 'transform', config: { value: 1 } },
        { id: 'c1', type: 'condition', condition: 'input.x', true_edge: 'c2', false_edge: 'merge' },
        { id: 'c2', type: 'condition', condition: 'input.y', true_edge: 'merge' },
        { id: 'merge', type: 'transform', when: '{{ input.z }}', config: { value: 2 } },
      ],
      edges: [
        { source: 'a', target: 'c1' },
        { source: 'c1', target: 'c2' },
        { source: 'c1', target: 'merge' },
        { source: 'c2', target: 'merge' },
      ],
    });
    expect(value.nodes).toContainEqual({ id: 'merge', type: 'transform', needs: ['a'], when: '{{ ($truthy(input.z)) and (($not($truthy(input.x))) or (($truthy(input.x)) and ($truthy(input.y)))) }}', config: { value: 2 } });
  });

  it('reports problems of the graph shape with their paths in it', () => {
    const result = toCanonical({
      id: 't', name: 'T', nodes: [{ id: 'a', type: 'sendgrid' }, { id: 'b', type: 'transform' }, { type: 'http' }],
      // An end that is not an id, even one whose `toString` is not a function, is a problem at its path.
      edges: [{ source: 'b', target: 'zz' }, 'nope', { source: { toString: '' }, target: 'b' }, { source: 'b', target: ['a'] }],
    });
    expect('errors' in result && result.errors.map((e) => e.path)).toEqual(['nodes[0].type', 'nodes[2]', 'edges[0].target', 'edges[1]', 'edges[2].source', 'edges[3].target']);
  });
});
