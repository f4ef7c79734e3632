/**
 * What the interpreter's templates and the hand-written workflows agree on: node ids and the timeout and retry
 * policy every node runs with. Pure values, so the workflow bundle can import them.
 */

/** Timeout and retry of every bench node, as the template language writes them (`defaults` of each template). */
export const benchPolicy = {
  timeout: '30s',
  retry: { maxAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maxInterval: '1m' },
} as const;

/** Node ids `s01`, `s02`, …: sorted like the template lists them. */
export function nodeId(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(2, '0')}`;
}

/** What the upstream's `GET /orders/:id` answers. */
export interface Order {
  items: Array<{ price: number }>;
}

/** What the upstream's `GET /step` answers: the `n` it was asked for. */
export interface Step {
  n: number;
}
