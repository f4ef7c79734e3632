import { Context } from '@temporalio/activity';
import type { Db } from '../db/client.js';
import { resolveRefs, storeIfLarge } from './blobs.js';
import type { NodeActivityInput, NodeActivityResult } from './node-input.js';
import { NodeProgress, type LivePublisher } from './progress.js';

/** A node type's work: its evaluated config in, its output out; `progress` heartbeats and reports live. */
export type NodeWork<Config> = (input: NodeActivityInput<Config>, progress: NodeProgress) => Promise<unknown>;

/**
 * Wraps a node type's work as the activity the interpreter calls: blob references in the config are resolved
 * first, an output too large for history is stored as a blob, and the answer carries Temporal's attempt number
 * (retries are Temporal's own, so only the activity knows how many there were).
 */
export function nodeActivity<Config>(name: string, deps: { db: Db; publish?: LivePublisher }, work: NodeWork<Config>) {
  const activity = async (input: NodeActivityInput<Config>): Promise<NodeActivityResult> => {
    const { attempt } = Context.current().info;
    const progress = new NodeProgress(input, deps.publish);
    if (attempt > 1) progress.live('node.retrying', { attempt });
    const config = (await resolveRefs(deps.db, input.config)) as Config;
    const output = await work({ ...input, config }, progress);
    return { output: await storeIfLarge(deps.db, input.runId, output ?? null), attempt };
  };
  // The interpreter calls node activities by their type's name.
  Object.defineProperty(activity, 'name', { value: name });
  return activity;
}
