import { nodeType, nodeTypes } from '../node-types/index.js';
import type { PathProblem } from '../problems.js';

/** The outcome of converting an older shape: the canonical value and where each canonical node came from. */
export type Conversion = { value: Record<string, unknown>; origins: Array<Array<string | number>> } | { problems: PathProblem[] };

/** Fields a canonical node has besides `id`, `type`, `needs`, `when` and `config`, copied as they are. */
export const passThroughNodeFields = ['name', 'description', 'retry', 'timeout', 'heartbeatTimeout', 'onError'] as const;

/** Node types other tools spell differently, mapped to Weft's. */
const typeAliases: Readonly<Record<string, string>> = {
  'http-request': 'http',
  httpRequest: 'http',
  code: 'transform',
  wait: 'delay',
};

/** The Weft node type for a type name of an older shape, or undefined when there is none. */
export function canonicalType(type: string): string | undefined {
  const resolved = Object.hasOwn(typeAliases, type) ? typeAliases[type]! : type;
  return nodeType(resolved) ? resolved : undefined;
}

/** The message for a type no conversion knows. */
export function unknownTypeMessage(kind: 'node' | 'step', type: string, extra: readonly string[] = []): string {
  return `unknown ${kind} type "${type}" (known: ${[...Object.keys(nodeTypes), ...extra].join(', ')})`;
}

/** A plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The template-level fields, without the older shape's own keys. */
export function templateFields(value: Record<string, unknown>, drop: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !drop.includes(key)));
}
