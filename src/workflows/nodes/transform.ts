import type { NodeExecutor, NodeRunContext } from './types.js';

/**
 * A `transform` node outputs its `value`. Expressions are pure, so the interpreter has already evaluated it
 * inside the workflow: no activity, no extra history events.
 */
export const transformOutput = ({ config }: NodeRunContext): unknown => (config as { value?: unknown }).value ?? null;

/** {@link transformOutput} as a promise, the way runs started before the lean lifecycle take it. */
export const runTransformNode: NodeExecutor = (context) => Promise.resolve(transformOutput(context));
