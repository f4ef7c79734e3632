import type { ActivityOptions } from '@temporalio/workflow';
import { effectiveTimeout } from '../template/attempt-timeout.js';
import { durationMs } from '../template/duration.js';
import type { Template, TemplateNode } from '../template/model.js';
import { effectiveRetry } from '../template/retry.js';

/**
 * How long an activity node may go without a heartbeat where neither the node nor the template's defaults say.
 * Node activities heartbeat on their own while they work (`nodeActivity`), so this is how soon a dead worker's
 * node is tried again elsewhere, instead of after its whole start-to-close timeout.
 */
export const defaultHeartbeatTimeout = '30s';

/** Maps a node's retry policy, timeouts and name onto Temporal's activity options. */
export function activityOptionsFor(template: Template, node: TemplateNode): ActivityOptions {
  const retry = effectiveRetry(template, node);
  const options: ActivityOptions = {
    startToCloseTimeout: durationMs(effectiveTimeout(template, node)),
    retry: {
      maximumAttempts: retry.maxAttempts,
      initialInterval: durationMs(retry.initialInterval),
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: durationMs(retry.maxInterval),
      nonRetryableErrorTypes: retry.nonRetryable,
    },
    summary: `${node.id}${node.name ? `: ${node.name}` : ''} (${node.type})`,
  };
  const heartbeat = node.heartbeatTimeout ?? template.defaults?.heartbeatTimeout;
  // A default longer than the node's timeout would never matter: Temporal caps it at the start-to-close timeout.
  options.heartbeatTimeout = heartbeat ? durationMs(heartbeat) : Math.min(durationMs(defaultHeartbeatTimeout), options.startToCloseTimeout as number);
  return options;
}
