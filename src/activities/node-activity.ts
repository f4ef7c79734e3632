import { ApplicationFailure, Context } from '@temporalio/activity';
import { maxTimerMs } from '../template/duration.js';
import { redactSecrets, resolveSecretMarkers, SecretMissingError } from '../template/secrets.js';
import type { Db } from '../db/client.js';
import { resolveRefs, storeIfLarge, storeLargeParts } from './blobs.js';
import type { NodeActivityInput, NodeActivityResult } from './node-input.js';
import { NodeProgress, type LivePublisher } from './progress.js';

/**
 * A node type's work: its evaluated config in, its output out; `progress` heartbeats and reports live. `secrets`
 * are the values the config was given: the output's text is redacted of them after, but what only the work can
 * read as text (bytes it keeps as base64) it must redact itself.
 */
export type NodeWork<Config> = (input: NodeActivityInput<Config>, progress: NodeProgress, secrets: readonly string[]) => Promise<unknown>;

/**
 * Heartbeats with `beat` every third of the activity's heartbeat timeout until the returned function is called,
 * so that work which reports no progress of its own is not taken for a dead worker. Without a heartbeat timeout
 * there is nothing to keep alive.
 */
export function keepAlive(beat: () => void): () => void {
  const { heartbeatTimeoutMs } = Context.current().info;
  if (!heartbeatTimeoutMs) return () => undefined;
  const ticker = setInterval(beat, keepAliveEveryMs(heartbeatTimeoutMs));
  return () => clearInterval(ticker);
}

/**
 * How often {@link keepAlive} beats for a heartbeat timeout: a third of it, at least 100 ms, and no longer than a
 * timer can wait (a 90-day heartbeat timeout would otherwise beat every millisecond).
 */
export function keepAliveEveryMs(heartbeatTimeoutMs: number): number {
  return Math.min(Math.max(heartbeatTimeoutMs / 3, 100), maxTimerMs);
}

/**
 * Wraps a node type's work as the activity the interpreter calls: blob references and secrets in the config are
 * resolved first (secret values are taken out of the output again, so they never reach history), an output too large for history is stored as a blob, and the answer carries Temporal's attempt number
 * (retries are Temporal's own, so only the activity knows how many there were). It heartbeats while it works
 * ({@link keepAlive}): a worker that dies mid-node is noticed within the node's heartbeat timeout.
 */
export function nodeActivity<Config>(name: string, deps: { db: Db; publish?: LivePublisher; secrets?: Readonly<Record<string, string>> }, work: NodeWork<Config>) {
  const activity = async (input: NodeActivityInput<Config>): Promise<NodeActivityResult> => {
    const { attempt } = Context.current().info;
    const progress = new NodeProgress(input, deps.publish);
    if (attempt > 1) progress.live('node.retrying', { attempt });
    const stop = keepAlive(() => progress.beat());
    try {
      const used: string[] = [];
      const lookup = (secretName: string) => {
        const value = deps.secrets?.[secretName];
        if (value !== undefined) used.push(value);
        return value;
      };
      let config: Config;
      try {
        config = resolveSecretMarkers(await resolveRefs(deps.db, input.config), Context.current().info.workflowExecution?.runId ?? '', lookup) as Config;
      } catch (err) {
        if (err instanceof SecretMissingError) throw ApplicationFailure.create({ type: 'SecretMissing', message: err.message, nonRetryable: true });
        throw err;
      }
      try {
        const output = redactSecrets(await work({ ...input, config }, progress, used), used);
        return { output: await storeIfLarge(deps.db, input.runId, output ?? null, input.storeAbove), attempt };
      } catch (err) {
        if (!(err instanceof ApplicationFailure)) {
          if (used.length > 0 && err instanceof Error) err.message = redactSecrets(err.message, used) as string;
          throw err;
        }
        // A failure's message and details enter history too: secrets are taken out, and details too large for it
        // (an error page a server answered with) are stored as an output would be, part by part.
        const redacted = (err.details && used.length > 0 ? (redactSecrets(err.details, used) as unknown[]) : err.details) ?? undefined;
        const details = redacted && (await Promise.all(redacted.map((d) => storeLargeParts(deps.db, input.runId, d, input.storeAbove))));
        if (used.length === 0 && (details ?? []).every((d, i) => d === err.details?.[i])) throw err;
        throw rebuiltFailure(err, redactSecrets(err.message, used) as string, details);
      }
    } finally {
      stop();
    }
  };
  // The interpreter calls node activities by their type's name.
  Object.defineProperty(activity, 'name', { value: name });
  return activity;
}

/**
 * `failure` with another message and details (secrets taken out, large parts stored); node types throw failures
 * without a cause, so none is carried over.
 */
function rebuiltFailure(failure: ApplicationFailure, message: string, details: unknown[] | undefined): ApplicationFailure {
  return ApplicationFailure.create({
    type: failure.type ?? undefined,
    message,
    details,
    nonRetryable: failure.nonRetryable ?? undefined,
    // Weft's node types give a delay in ms (an answer's Retry-After).
    nextRetryDelay: typeof failure.nextRetryDelay === 'number' ? failure.nextRetryDelay : undefined,
    category: failure.category ?? undefined,
  });
}
