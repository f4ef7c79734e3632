import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { templateJsonSchema } from '../../src/template/json-schema.js';
import { validateTemplate } from '../../src/template/validate.js';
import { nodeCatalog } from '../../src/template/node-types/catalog.js';
import { nodeTypes } from '../../src/template/node-types/index.js';
import { nodeReferences } from '../../src/template/references.js';
import { corpus, shipped } from './corpus.js';

describe('the language as JSON Schema', () => {
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(templateJsonSchema());

  it('accepts every shipped and canonical corpus template', () => {
    for (const [file, text] of [...shipped, ...corpus.filter(([f]) => !/^(steps|graph)-/.test(f))]) {
      expect(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('checks a node config by its type, inner map nodes included', () => {
    const template = (config: unknown, type = 'http') => ({ id: 't', name: 'T', nodes: [{ id: 'a', type, config }] });
    expect(validate(template({ url: 'http://127.0.0.1/' }))).toBe(true);
    expect(validate(template({ method: 'GET' }))).toBe(false);
    expect(validate(template({ url: 'http://127.0.0.1/' }, 'nope'))).toBe(false);
    expect(validate(template({ items: [1], node: { type: 'http', config: { url: 'x' } } }, 'map'))).toBe(true);
    expect(validate(template({ items: [1], node: { type: 'http', config: { verb: 'x' } } }, 'map'))).toBe(false);
  });

  it('refuses, as the validator does, a node without config, a duration or moment that is not one, and a per-item type a map cannot run', () => {
    const template = (node: unknown) => ({ id: 't', name: 'T', nodes: [node] });
    const both = (node: unknown) => [validate(template(node)), validateTemplate(template(node)).ok];
    expect(both({ id: 'a', type: 'delay' })).toEqual([false, false]);
    expect(both({ id: 'a', type: 'delay', config: { duration: 'abc' } })).toEqual([false, false]);
    expect(both({ id: 'a', type: 'delay', config: { duration: '{{ input.wait }}' } })).toEqual([true, true]);
    expect(both({ id: 'a', type: 'delay', config: { until: '2030-01-01T00:00:00' } })).toEqual([false, false]);
    expect(both({ id: 'a', type: 'delay', config: { until: '2030-01-01T00:00:00+02:00' } })).toEqual([true, true]);
    expect(both({ id: 'a', type: 'map', config: { items: [1], node: { type: 'approval', config: { prompt: 'ok?' } } } })).toEqual([false, false]);
    expect(both({ id: 'a', type: 'map', config: { items: [1], node: { type: 'delay', config: { duration: '1s' } } } })).toEqual([true, true]);
  });

  it('lists every node type in the catalog with a JSON Schema of its config', () => {
    const catalog = nodeCatalog();
    expect(catalog.map((e) => e.type).sort()).toEqual(Object.keys(nodeTypes).sort());
    const runsAs = Object.fromEntries(catalog.map((e) => [e.type, e.runsAs]));
    expect(runsAs).toEqual({ http: 'activity', transform: 'workflow', delay: 'workflow', approval: 'workflow', map: 'workflow', subworkflow: 'workflow' });
    for (const entry of catalog) {
      expect(entry.title).not.toBe('');
      expect(entry.configSchema).toMatchObject({ type: 'object' });
      expect(() => ajv.compile(entry.configSchema)).not.toThrow();
    }
  });
});

describe('nodeReferences', () => {
  it('finds the nodes a node reads in config and when, from the syntax tree', () => {
    expect(
      nodeReferences({
        id: 'x',
        type: 'transform',
        when: '{{ nodes.gate.output and $$.nodes.flag.status = "ok" }}',
        config: { value: { a: '{{ nodes.a.output + nodes.`b-c`.output }}', text: 'n={{ nodes.a.output }} "nodes.fake"', filtered: '{{ input.list[nodes = 1] }}', quoted: '{{ "nodes.str" }}' } },
      }),
    ).toEqual(['a', 'b-c', 'gate', 'flag']);
  });

  it('ignores expressions that do not parse', () => {
    expect(nodeReferences({ id: 'x', type: 'transform', config: { value: '{{ nodes.a.( }}' } })).toEqual([]);
  });
});
