import { validateTemplate } from '../../src/template/validate.js';
import type { Template } from '../../src/template/model.js';
import { nodeId } from '../workflows/shapes.js';

/** Delay nodes per chain: more than the window can finish, so every run is still streaming when it is cancelled. */
const chainLength = 60;

/**
 * `branches` chains of short delay nodes side by side. Each node emits `node.started`, `node.waiting` and
 * `node.completed`, so a run streams a few events a second per chain for minutes without leaning on an upstream;
 * the bench cancels the runs when it has measured enough, which adds `node.cancelled` and `run.cancelled`.
 * (The dev server fires timers on whole seconds, so a 200 ms delay takes about one second.)
 */
export function streamingTemplate(branches: number): Template {
  const nodes = Array.from({ length: branches }, (_, b) => Array.from({ length: chainLength }, (_, k) => ({
    id: nodeId(`b${b}s`, k + 1),
    type: 'delay',
    ...(k > 0 ? { needs: [nodeId(`b${b}s`, k)] } : {}),
    config: { duration: '200ms' },
  }))).flat();
  const result = validateTemplate({ id: 'bench-fanout-stream', name: 'Fan-out stream', maxParallel: branches, nodes });
  if (!result.ok) throw new TypeError(`bench template is not valid: ${JSON.stringify(result.errors)}`);
  return result.template;
}
