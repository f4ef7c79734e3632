import type { NodeExecutor } from './types.js';

/**
 * A `transform` node outputs its `value`. Expressions are pure, so the interpreter has already evaluated it
 * inside the workflow: no activity, no extra history events.
 */
export const runTransformNode: NodeExecutor = ({ config }) => Promise.resolve((config as { value?: unknown }).value ?? null);
