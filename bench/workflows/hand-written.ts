import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../src/activities/index.js';
import type { HttpConfig, HttpOutput } from '../../src/template/node-types/http.js';
import { nodeId, type Order, type Step } from './shapes.js';

/**
 * What an engineer would write by hand for the bench's templates: the same `http` activity, the same input
 * shape, the same options (benchPolicy spelled as Temporal options, and the summary the interpreter gives a
 * node), no interpreter. The bench checks the scheduled activities in both histories agree.
 */
const options: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

async function http(id: string, config: HttpConfig, name?: string): Promise<HttpOutput> {
  const { http } = proxyActivities<Activities>({ ...options, summary: `${id}${name ? `: ${name}` : ''} (http)` });
  const { output } = await http({ runId: workflowInfo().workflowId, nodeId: id, config });
  return output as HttpOutput;
}

/** GET an order → sum its prices → POST the digest; returns the total. */
export async function orderDigestByHand({ base, orderId }: { base: string; orderId: string }): Promise<number> {
  const order = await http('fetch', { method: 'GET', url: `${base}/orders/${orderId}` }, 'Fetch order');
  const total = (order.body as Order).items.reduce((sum, item) => sum + item.price, 0);
  await http('post', { method: 'POST', url: `${base}/digest`, body: { total, label: `order ${orderId}` } });
  return total;
}

/** `length` GETs in sequence, each passing on what the previous one answered; returns the last `n`. */
export async function chainByHand({ base, length }: { base: string; length: number }): Promise<number> {
  let previous: number | undefined;
  for (let i = 1; i <= length; i++) {
    const query = previous === undefined ? { n: i } : { n: i, prev: previous };
    const { body } = await http(nodeId('s', i), { method: 'GET', url: `${base}/step`, query });
    previous = (body as Step).n;
  }
  return previous ?? 0;
}

/** `width` GETs at once, then the sum of what they answered. */
export async function fanOutByHand({ base, width }: { base: string; width: number }): Promise<number> {
  const indexes = Array.from({ length: width }, (_, i) => i + 1);
  const outputs = await Promise.all(indexes.map((i) => http(nodeId('f', i), { method: 'GET', url: `${base}/step`, query: { n: i } })));
  return outputs.reduce((sum, { body }) => sum + (body as Step).n, 0);
}
