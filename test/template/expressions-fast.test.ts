import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateValue, evaluateValueNow, ExpressionError, isPending, type ExpressionScope } from '../../src/template/expressions.js';

/** Both evaluations of a value, as a comparable outcome: the value, or the error's message. */
async function outcomes(value: unknown, scope: ExpressionScope): Promise<{ reference: unknown; now: unknown; quick: boolean }> {
  let quick = true;
  const settle = async (run: () => unknown) => {
    try {
      const result = run();
      quick = !isPending(result);
      return { value: isPending(result) ? await result : result };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const reference = await evaluateValue(value, scope).then((v) => ({ value: v }), (err: Error) => ({ error: err.message }));
  const now = await settle(() => evaluateValueNow(value, scope));
  return { reference, now, quick };
}

const scope: ExpressionScope = {
  input: { x: 3, name: 'Ada', flag: true, none: null, nested: { ok: true, list: [1, 2] }, items: [{ price: 10 }, { price: 32.5 }] },
  nodes: {
    fetch: { status: 'completed', output: { status: 200, body: { n: 7, items: [{ price: 1 }, { price: 2 }], one: [5] } } },
    'after-right': { status: 'completed', output: 'R' },
    gone: { status: 'skipped' },
  },
  run: { id: 'run-1', templateId: 't', version: 2, startedAt: '2025-01-01T00:00:00.000Z' },
  item: { id: 'a', tags: ['x'] },
  index: 4,
};

describe('evaluateValueNow', () => {
  it('answers literal values and plain lookups without a promise', () => {
    expect(evaluateValueNow({ url: 'http://h/x', query: { n: 1, on: [true, null] } }, scope)).toEqual({ url: 'http://h/x', query: { n: 1, on: [true, null] } });
    expect(evaluateValueNow('{{ nodes.fetch.output.body.n }}', scope)).toBe(7);
    expect(evaluateValueNow('order {{ input.name }} #{{ index }}', scope)).toBe('order Ada #4');
    expect(evaluateValueNow('{{ nodes.`after-right`.output }}', scope)).toBe('R');
    expect(evaluateValueNow("{{ nodes.fetch.status = 'completed' and input.x > 2 }}", scope)).toBe(true);
    expect(evaluateValueNow('{{ nodes.fetch.output.body.n + input.x * 2 }}', scope)).toBe(13);
    expect(evaluateValueNow('{{ input.missing + 1 }}', scope)).toBeUndefined();
    expect(evaluateValueNow('{{ input.nested }}', scope)).toEqual({ ok: true, list: [1, 2] });
  });

  it('maps paths over arrays as JSONata does, and sums and counts them', () => {
    expect(evaluateValueNow('{{ nodes.fetch.output.body.items.price }}', scope)).toEqual([1, 2]);
    expect(evaluateValueNow('{{ $sum(input.items.price) }}', scope)).toBe(42.5);
    expect(evaluateValueNow('{{ $count(nodes.fetch.output.body.items) }}', scope)).toBe(2);
    expect(evaluateValueNow('{{ nodes.fetch.output.body.one }}', scope)).toEqual([5]);
    expect(evaluateValueNow('{{ item.tags }}', scope)).toEqual(['x']);
  });

  it('leaves other functions, predicates and type errors to JSONata', async () => {
    for (const source of ['{{ $max(input.items.price) }}', '{{ input.items[0] }}', '{{ $string(input.x) }}', '{{ $.input }}']) {
      const now = evaluateValueNow(source, scope);
      expect(isPending(now), source).toBe(true);
      expect(await now).toEqual(await evaluateValue(source, scope));
    }
    const failing = evaluateValueNow('{{ input.name + 1 }}', scope);
    expect(isPending(failing)).toBe(true);
    await expect(failing).rejects.toThrow(/input\.name \+ 1/);
  });

  it('copies what it returns: the scope is never handed out', () => {
    const out = evaluateValueNow('{{ input.nested }}', scope) as { ok: boolean };
    out.ok = false;
    expect((scope.input as { nested: { ok: boolean } }).nested.ok).toBe(true);
  });

  it('reports a syntax error at once, as an ExpressionError', () => {
    expect(() => evaluateValueNow('{{ a.( }}', scope)).toThrow(ExpressionError);
  });
});

// Property: on any scope and any expression of the covered grammar (and beyond it), the result is JSONata's.
const name = fc.constantFrom('a', 'b', 'n', 'x', 'list', 'status', 'output');
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 2.5, 3, '', 'a', 'b', 'left'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(name, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((names) => names.join('.'));
const literal = fc.constantFrom('1', '0', '2.5', "'a'", "''", 'true', 'false', 'null');
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    path,
    literal,
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or'), tie('expr')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
    tie('expr').map((e) => `-(${e})`),
    path.map((p) => `$count(${p})`),
    path.map((p) => `$sum(${p})`),
    path.map((p) => `$max(${p})`),
  ),
})).expr;

describe('evaluateValueNow against JSONata', () => {
  it('gives the same value or the same error for any expression and scope', async () => {
    let quick = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, json, { maxKeys: 5 }), expression, fc.constantFrom('lone', 'text', 'nested'), async (data, source, form) => {
        const value = form === 'lone' ? `{{ ${source} }}` : form === 'text' ? `v={{ ${source} }};` : { k: [`{{ ${source} }}`, 1], t: 'x' };
        const result = await outcomes(value, { ...scope, ...data });
        expect(result.now).toEqual(result.reference);
        if (result.quick) quick++;
      }),
      { numRuns: 3000 },
    );
    // The property is not vacuous: a good share of the cases took the quick path.
    expect(quick).toBeGreaterThan(600);
  });
});
