import jsonata from 'jsonata';

/** An expression that does not parse or fails while evaluating. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(message: string, readonly expression: string, readonly position?: number) {
    super(message);
  }
}

const compiled = new Map<string, jsonata.Expression>();

/** Parses a JSONata expression once and keeps it; throws {@link ExpressionError} on a syntax error. */
export function compileExpression(source: string): jsonata.Expression {
  let expression = compiled.get(source);
  if (!expression) {
    if (source === '') throw new ExpressionError('the expression is empty', source);
    try {
      expression = jsonata(source);
    } catch (err) {
      const e = err as { message?: string; position?: number };
      throw new ExpressionError(e.message ?? String(err), source, e.position);
    }
    compiled.set(source, expression);
  }
  return expression;
}
