import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toCanonical } from '../../src/template/convert/index.js';
import { validateTemplate, validateTemplateSource, type ValidationResult } from '../../src/template/validate.js';
import { corpus, shipped } from './corpus.js';

/** Each property gets a fixed number of runs and a time budget, so that the suite never hangs. */
const budget = { numRuns: 300, interruptAfterTimeLimit: 8_000 };

function wellFormed(result: ValidationResult): void {
  if (result.ok) {
    expect(result.template.nodes.length).toBeGreaterThan(0);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
    if (e.line !== undefined) expect(e.line).toBeGreaterThan(0);
  }
}

const templates = [...shipped, ...corpus].map(([, text]) => parse(text) as unknown);

/** Replaces, removes or renames one value somewhere in a template. */
function mutate(value: unknown, choice: number, replacement: unknown, key: string): unknown {
  const clone = structuredClone(value);
  const spots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const collect = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    for (const [key, item] of entries) {
      spots.push({ parent: v as Record<string, unknown>, key });
      collect(item);
    }
  };
  collect(clone);
  const spot = spots[choice % Math.max(spots.length, 1)];
  if (!spot) return replacement;
  const parent = spot.parent as Record<string | number, unknown>;
  switch (choice % 3) {
    case 0:
      parent[spot.key] = replacement;
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(Number(spot.key), 1);
      else delete parent[spot.key];
      break;
    default:
      if (!Array.isArray(parent)) {
        Object.defineProperty(parent, key, { value: parent[spot.key], enumerable: true, configurable: true, writable: true });
        delete parent[spot.key];
      }
  }
  return clone;
}

describe('the parser and validator never throw, crash or hang', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (text) => wellFormed(validateTemplateSource(text))), budget);
  });

  it('on random YAML-ish text', () => {
    const token = fc.constantFrom('id: ', 'name: ', 'nodes:', '\n', '  - ', '{', '}', '[', ']', ', ', 'type: http', 'config: ', '{{ ', ' }}', 'needs: [a]', '&x ', '*x', '"', "'", '#', ': ', 'a', '- ');
    fc.assert(fc.property(fc.array(token, { maxLength: 200 }), (tokens) => wellFormed(validateTemplateSource(tokens.join('')))), budget);
  });

  it('on random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
      wellFormed(validateTemplate(value));
      expect(() => toCanonical(value)).not.toThrow();
    }), budget);
  });

  it('on random templates of the right rough shape', () => {
    const node = fc.record({
      id: fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.string()),
      type: fc.constantFrom('http', 'transform', 'delay', 'approval', 'map', 'subworkflow', 'start', 'end', 'condition', 'nope'),
      needs: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'x')),
      when: fc.constantFrom(undefined, '{{ nodes.a.output }}', '{{ item }}', '{{ (', 'x'),
      config: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ url: '{{ nodes.b.output }}', value: '{{ secrets.x }}', items: '{{ nodes.c.output }}', node: { type: 'http', config: {} } })),
    }, { requiredKeys: ['type'] });
    const shape = fc.record({
      id: fc.constant('t'),
      name: fc.constant('T'),
      nodes: fc.array(node, { maxLength: 8 }),
      edges: fc.option(fc.array(fc.record({ source: fc.constantFrom('a', 'b', 'c', 'd'), target: fc.constantFrom('a', 'b', 'c', 'd'), sourceHandle: fc.constantFrom('true', 'false', undefined) }), { maxLength: 8 }), { nil: undefined }),
      output: fc.constantFrom(undefined, '{{ nodes.a.output }}', '{{'),
    }, { requiredKeys: ['id', 'name', 'nodes'] });
    fc.assert(fc.property(shape, (value) => wellFormed(validateTemplate(value))), budget);
  });

  it('on valid templates with one random mutation', () => {
    fc.assert(
      fc.property(fc.nat(templates.length - 1), fc.nat(10_000), fc.jsonValue({ maxDepth: 4 }), fc.constantFrom('__proto__', 'constructor', 'x', 'needs', 'when', 'config'), (which, choice, replacement, key) => {
        wellFormed(validateTemplate(mutate(templates[which], choice, replacement, key)));
      }),
      budget,
    );
  });
});
