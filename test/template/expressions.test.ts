import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateValue, ExpressionError, splitTemplateString, type ExpressionScope } from '../../src/template/expressions.js';

const scope: ExpressionScope = {
  input: { items: [1, 2, 3], name: 'Ada', nested: { ok: true }, empty: [] },
  nodes: { fetch: { status: 'completed', output: { body: { items: [{ price: 60 }, { price: 50 }] } } }, gone: { status: 'skipped' } },
  run: { id: 'run-1', templateId: 'order-digest', version: 3, startedAt: '2025-01-01T00:00:00.000Z' },
};

describe('expression evaluation', () => {
  it('keeps the type of a string that is exactly one expression', async () => {
    expect(await evaluateValue('{{ $sum(input.items) }}', scope)).toBe(6);
    expect(await evaluateValue('{{ input.nested }}', scope)).toEqual({ ok: true });
    expect(await evaluateValue('{{ input.nested.ok }}', scope)).toBe(true);
    expect(await evaluateValue('  {{ input.items }}  ', scope)).toEqual([1, 2, 3]);
    expect(await evaluateValue('{{ $sum(nodes.fetch.output.body.items.price) }}', scope)).toBe(110);
  });

  it('hands back plain JSON arrays, not JSONata sequences', async () => {
    const value = await evaluateValue('{{ nodes.fetch.output.body.items.price }}', scope);
    expect(Array.isArray(value)).toBe(true);
    expect(Object.keys(value as object)).toEqual(['0', '1']);
    expect(value).toEqual([60, 50]);
  });

  it('interpolates text in a mixed string', async () => {
    expect(await evaluateValue('Hello {{ input.name }}, you have {{ $count(input.items) }} items', scope)).toBe('Hello Ada, you have 3 items');
    expect(await evaluateValue('obj={{ input.nested }}', scope)).toBe('obj={"ok":true}');
    expect(await evaluateValue('[{{ input.missing }}]', scope)).toBe('[]');
    expect(await evaluateValue('{{ 1 }}{{ 2 }}', scope)).toBe('12');
  });

  it('yields undefined for a missing value in a single expression', async () => {
    expect(await evaluateValue('{{ input.missing }}', scope)).toBeUndefined();
    expect(await evaluateValue('{{ nodes.gone.output }}', scope)).toBeUndefined();
  });

  it('walks objects and arrays and leaves other values alone', async () => {
    const value = { a: ['{{ run.version + 1 }}', 'plain', 7, null, false], b: { c: '{{ run.templateId }}' } };
    expect(await evaluateValue(value, scope)).toEqual({ a: [4, 'plain', 7, null, false], b: { c: 'order-digest' } });
    expect(await evaluateValue(42, scope)).toBe(42);
  });

  it('evaluates conditions as `when` does', async () => {
    expect(await evaluateValue("{{ nodes.fetch.status = 'completed' and $count(input.items) > 2 }}", scope)).toBe(true);
    expect(await evaluateValue('{{ $exists(input.missing) }}', scope)).toBe(false);
  });

  it('reports syntax errors as ExpressionError with the source', async () => {
    await expect(evaluateValue('{{ $sum( }}', scope)).rejects.toBeInstanceOf(ExpressionError);
    expect(() => compileExpression('')).toThrow(/empty/);
    const thrown = (() => {
      try {
        compileExpression('a.(');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ExpressionError);
    expect(thrown).toMatchObject({ expression: 'a.(', position: expect.any(Number) });
  });

  it('reports evaluation errors as ExpressionError naming the expression', async () => {
    await expect(evaluateValue('{{ $undefinedFunction(1) }}', scope)).rejects.toThrow(/\$undefinedFunction/);
    await expect(evaluateValue('{{ "a" + 1 }}', scope)).rejects.toBeInstanceOf(ExpressionError);
  });

  it('splits strings into text and expressions, and rejects an unclosed {{', () => {
    expect(splitTemplateString('a {{ b }} c')).toEqual([
      { kind: 'text', text: 'a ', start: 0 },
      { kind: 'expr', source: 'b', start: 4 },
      { kind: 'text', text: ' c', start: 9 },
    ]);
    expect(() => splitTemplateString('a {{ b')).toThrow(ExpressionError);
  });
});
