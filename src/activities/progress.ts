import { Context } from '@temporalio/activity';
import type { RunEvent } from '../workflows/state.js';
import type { NodeActivityInput } from './node-input.js';

/** Where live-only events leave the worker (the realtime bus in Weft's processes). */
export type LivePublisher = (runId: string, event: RunEvent) => void;

/** How many live frames one attempt may number: two a second for 58 days, longer than a request may take. */
export const subsPerAttempt = 10_000_000;

/**
 * How many attempts of one map item number frames in ranges of their own; later attempts share the last range.
 * With {@link subsPerAttempt}, 100,000 items stay within the integers a double holds exactly.
 */
export const rangesPerItem = 100;

/**
 * Progress of one node activity attempt. Each report heartbeats (so the activity sees cancellation and Temporal
 * keeps the details for the next attempt) and is published live as `node.progress`.
 *
 * The run's seq belongs to the workflow: an activity cannot take the next number without a history event per
 * report. So progress events are live-only: they carry the seq of the node's `node.started` event and a `sub`
 * sequence, are never stored, and clients treat them as ephemeral (the query and the index never hold them).
 */
export class NodeProgress {
  private sub: number;
  private details: Record<string, unknown> | undefined;

  constructor(private readonly input: NodeActivityInput, private readonly publish?: LivePublisher) {
    // Each attempt numbers on from the previous ones' range, so that no two frames of a node share (seq, sub):
    // a client that drops repeats by them would drop a later attempt's frames. A map's items all follow the
    // map's `node.started`, so each item has ranges of its own too.
    const attempt = Context.current().info.attempt - 1;
    this.sub = (input.item === undefined ? attempt : input.item * rangesPerItem + Math.min(attempt, rangesPerItem - 1)) * subsPerAttempt;
  }

  /** Heartbeats with `details` and publishes them as a live `node.progress` event. */
  report(details: Record<string, unknown>): void {
    this.details = details;
    Context.current().heartbeat(details);
    this.live('node.progress', details);
  }

  /** Heartbeats with the last details reported (so that Temporal keeps them), publishing nothing. */
  beat(): void {
    Context.current().heartbeat(this.details);
  }

  /** Publishes a live-only event that follows the node's `node.started`. */
  live(type: 'node.progress' | 'node.retrying', data: Record<string, unknown>): void {
    if (!this.publish || this.input.seq === undefined) return;
    const shown = this.input.item === undefined ? data : { ...data, item: this.input.item };
    this.publish(this.input.runId, { seq: this.input.seq, sub: ++this.sub, type, nodeId: this.input.nodeId, at: new Date().toISOString(), data: shown });
  }
}
