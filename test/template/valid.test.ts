import { describe, expect, it } from 'vitest';
import { validateTemplate, validateTemplateSource } from '../../src/template/validate.js';
import { corpus, shipped } from './corpus.js';


describe('valid templates are accepted', () => {
  it('ships the example templates (and the archive step one of them runs), with local URLs only', () => {
    expect(shipped.map(([f]) => f).sort()).toEqual(['archive-document.yaml', 'data-pipeline.yaml', 'document-processing.yaml', 'notification.yaml', 'research.yaml', 'support-triage.yaml']);
    for (const [, text] of shipped) {
      for (const url of text.match(/https?:\/\/[^\s"'}]+/g) ?? []) expect(url).toMatch(/^http:\/\/127\.0\.0\.1[:/]/);
    }
  });

  it.each([...shipped, ...corpus])('%s', (_file, text) => {
    const result = validateTemplateSource(text);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('covers every node type and every shape', () => {
    const types = new Set<string>();
    for (const [, text] of [...shipped, ...corpus]) {
      const result = validateTemplateSource(text);
      if (!result.ok) continue;
      for (const node of result.template.nodes) {
        types.add(node.type);
        const inner = (node.config as { node?: { type: string } }).node;
        if (inner) types.add(inner.type);
      }
    }
    expect([...types].sort()).toEqual(['approval', 'delay', 'http', 'map', 'subworkflow', 'transform']);
    expect(corpus.map(([f]) => f)).toEqual(expect.arrayContaining(['graph-branch.yaml', 'steps-sequential.yaml', 'steps-dependencies.yaml', 'json-form.json']));
  });

  it('applies config defaults and returns the canonical template', () => {
    const result = validateTemplate({ id: 'x', name: 'X', nodes: [{ id: 'a', type: 'http', config: { url: 'http://127.0.0.1:9000/' } }, { id: 'm', type: 'map', config: { items: [1], node: { type: 'http', config: { url: 'http://127.0.0.1:9000/{{ item }}' } } } }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.template.nodes[0]!.config).toEqual({ method: 'GET', url: 'http://127.0.0.1:9000/' });
    expect(result.template.nodes[1]!.config).toMatchObject({ node: { type: 'http', config: { method: 'GET' } } });
  });

  it('accepts values built in code, not only text', () => {
    const node = (id: string, needs: string[] = []) => ({ id, type: 'transform', needs, config: { value: needs.map((n) => `{{ nodes.${n}.output }}`) } });
    const chain = Array.from({ length: 500 }, (_, i) => node(`n${i}`, i === 0 ? [] : [`n${i - 1}`]));
    expect(validateTemplate({ id: 'long-chain', name: 'Long chain', nodes: chain }).ok).toBe(true);
    const fanIn = [...Array.from({ length: 50 }, (_, i) => node(`p${i}`)), node('join', Array.from({ length: 50 }, (_, i) => `p${i}`))];
    expect(validateTemplate({ id: 'fan-in', name: 'Fan in', nodes: fanIn }).ok).toBe(true);
  });

  it('takes a secret placed as it is: alone, joined into text, as a branch or through $string', () => {
    const headers = {
      a: '{{ secrets.token }}', b: 'Bearer {{ secrets.token }}', c: "{{ 'Bearer ' & secrets.token }}",
      d: '{{ input.staging ? secrets.stagingToken : secrets.token }}', e: '{{ $string(secrets.token) }}', f: '{{ (secrets.token) }}',
      g: "{{ $join([secrets.user, secrets.pass], ':') }}",
    };
    const body = "{{ {'key': secrets.token, 'pair': [secrets.user, input.user]} }}";
    const result = validateTemplate({ id: 'secret-uses', name: 'Secret uses', nodes: [{ id: 'a', type: 'http', config: { url: 'http://127.0.0.1:9000/', headers, body } }] });
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('lets a node read anything transitively upstream', () => {
    const text = `id: t\nname: T\nnodes:\n  - { id: a, type: transform, config: { value: 1 } }\n  - { id: b, type: transform, needs: [a], config: { value: 2 } }\n  - { id: c, type: transform, needs: [b], config: { value: "{{ nodes.a.output + nodes.b.output }}" } }\n`;
    expect(validateTemplateSource(text).ok).toBe(true);
  });
});
