import jsonata from 'jsonata';
import { memo } from './memo.js';

/** How many parsed expressions (and their plans and segments) a process keeps. */
export const expressionsKept = 10_000;

/** An expression that does not parse or fails while evaluating. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(message: string, readonly expression: string, readonly position?: number) {
    super(message);
  }
}

/** Parses a JSONata expression once and keeps it; throws {@link ExpressionError} on a syntax error. */
export const compileExpression: (source: string) => jsonata.Expression = memo(expressionsKept, (source) => {
  if (source === '') throw new ExpressionError('the expression is empty', source);
  try {
    return jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(e.message ?? String(err), source, e.position);
  }
});
