import type { ActivityOptions } from '@temporalio/workflow';
import { durationMs } from '../template/duration.js';
import type { RetryPolicy, Template, TemplateNode } from '../template/model.js';

/** Weft's retry policy where neither the node nor the template's defaults set one. */
export const defaultRetry: Required<Omit<RetryPolicy, 'nonRetryable'>> = {
  maxAttempts: 3,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maxInterval: '1m',
};

const defaultTimeout = '5m';

/** Maps a node's retry policy, timeouts and name onto Temporal's activity options. */
export function activityOptionsFor(template: Template, node: TemplateNode): ActivityOptions {
  const retry = { ...defaultRetry, ...template.defaults?.retry, ...node.retry };
  const options: ActivityOptions = {
    startToCloseTimeout: durationMs(node.timeout ?? template.defaults?.timeout ?? defaultTimeout),
    retry: {
      maximumAttempts: retry.maxAttempts,
      initialInterval: durationMs(retry.initialInterval),
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: durationMs(retry.maxInterval),
      nonRetryableErrorTypes: retry.nonRetryable,
    },
    summary: `${node.id}${node.name ? `: ${node.name}` : ''} (${node.type})`,
  };
  if (node.heartbeatTimeout) options.heartbeatTimeout = durationMs(node.heartbeatTimeout);
  return options;
}
