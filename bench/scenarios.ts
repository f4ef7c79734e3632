import { validateTemplate } from '../src/template/validate.js';
import type { Template } from '../src/template/model.js';
import { benchPolicy, nodeId } from './workflows/shapes.js';

/** One shape the bench runs both ways: as a template through the interpreter, and as a hand-written workflow. */
export interface Scenario {
  name: string;
  template: Template;
  /** The run's `input` for the interpreter. */
  input: unknown;
  handWritten: { workflowType: string; args: unknown[] };
  /** What both sides must return (the interpreter as its run output). */
  expected: number;
}

/** Validates a template as an upload would; the bench refuses to measure one the API would reject. */
function valid(value: unknown): Template {
  const result = validateTemplate(value);
  if (!result.ok) throw new TypeError(`bench template is not valid: ${JSON.stringify(result.errors)}`);
  return result.template;
}

const defaults = { timeout: benchPolicy.timeout, retry: benchPolicy.retry };

/** GET → transform → POST, as in the first slice. */
export function orderDigest(base: string): Scenario {
  return {
    name: '3-step chain',
    template: valid({
      id: 'bench-order-digest', name: 'Order digest', defaults,
      nodes: [
        { id: 'fetch', type: 'http', name: 'Fetch order', config: { method: 'GET', url: `${base}/orders/{{ input.orderId }}` } },
        { id: 'total', type: 'transform', needs: ['fetch'], config: { value: '{{ $sum(nodes.fetch.output.body.items.price) }}' } },
        { id: 'post', type: 'http', needs: ['total'], config: { method: 'POST', url: `${base}/digest`, body: { total: '{{ nodes.total.output }}', label: 'order {{ input.orderId }}' } } },
      ],
      output: '{{ nodes.total.output }}',
    }),
    input: { orderId: '42' },
    handWritten: { workflowType: 'orderDigestByHand', args: [{ base, orderId: '42' }] },
    expected: 42.5,
  };
}

/** `length` http nodes in a line, each reading the previous one's answer. */
export function chain(base: string, length: number): Scenario {
  const nodes = Array.from({ length }, (_, k) => {
    const i = k + 1;
    const query = i === 1 ? { n: i } : { n: i, prev: `{{ nodes.${nodeId('s', i - 1)}.output.body.n }}` };
    return { id: nodeId('s', i), type: 'http', ...(i > 1 ? { needs: [nodeId('s', i - 1)] } : {}), config: { method: 'GET', url: `${base}/step`, query } };
  });
  return {
    name: `${length}-node chain`,
    template: valid({ id: 'bench-chain', name: 'Chain', defaults, nodes, output: `{{ nodes.${nodeId('s', length)}.output.body.n }}` }),
    input: {},
    handWritten: { workflowType: 'chainByHand', args: [{ base, length }] },
    expected: length,
  };
}

/**
 * `width` http nodes at once, joined by a transform that sums their answers. `maxParallel` is the width, as a
 * hand-written `Promise.all` has no limit either.
 */
export function fanOut(base: string, width: number): Scenario {
  const ids = Array.from({ length: width }, (_, k) => nodeId('f', k + 1));
  const branches = ids.map((id, k) => ({ id, type: 'http', config: { method: 'GET', url: `${base}/step`, query: { n: k + 1 } } }));
  const sum = ids.map((id) => `nodes.${id}.output.body.n`).join(' + ');
  return {
    name: `${width}-wide fan-out`,
    template: valid({
      id: 'bench-fan-out', name: 'Fan-out', defaults, maxParallel: width,
      nodes: [...branches, { id: 'total', type: 'transform', needs: ids, config: { value: `{{ ${sum} }}` } }],
      output: '{{ nodes.total.output }}',
    }),
    input: {},
    handWritten: { workflowType: 'fanOutByHand', args: [{ base, width }] },
    expected: (width * (width + 1)) / 2,
  };
}
