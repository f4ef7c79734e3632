import { terminalRunStatuses, type RunEvent } from '../workflows/state.js';
import { WeftError } from '../errors.js';
import { eventFrame, framedEvent, type ErrorCode, type ServerMessage } from './protocol.js';
import { isLiveOnly, type RunHub, type RunHubs } from './run-hub.js';

/**
 * What a client following `runId` is told when its run could not be read (`start` rejected, or a read after it):
 * that it does not exist, that no worker answered (it may ask again), or that the read failed.
 */
export function failedRead(err: unknown, runId: string): { code: ErrorCode; message: string } {
  const type = err instanceof WeftError ? err.type : undefined;
  if (type === 'not-found') return { code: 'not-found', message: `run "${runId}" does not exist` };
  if (type === 'unavailable') return { code: 'unavailable', message: (err as WeftError).message };
  return { code: 'internal', message: 'the run could not be read; try again' };
}

const terminal = new Set(['run.completed', 'run.failed', 'run.cancelled']);
const terminalStatuses = new Set<string>(terminalRunStatuses);
/** High-rate progress is coalesced per node in windows this long; state changes never wait. */
export const progressWindowMs = 100;

/**
 * One client following one run: a snapshot (or the events after the client's `afterSeq`), then every later
 * event in seq order, each once. All work runs on one promise chain, so catch-up and live events never
 * interleave out of order.
 */
export class Subscription {
  private cursor = 0;
  private chain: Promise<void> = Promise.resolve();
  private hub!: RunHub;
  private leave: (() => void) | undefined;
  private readonly pendingProgress = new Map<string, RunEvent>();
  private progressTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private ended = false;

  constructor(
    private readonly hubs: RunHubs,
    readonly runId: string,
    /** Sends a frame; `text` is its JSON when already made (shared by every follower of the run). */
    private readonly send: (frame: ServerMessage, text?: string) => void,
    private readonly onEnd: () => void = () => {},
  ) {}

  /** Joins the run; rejects (and leaves) when the run does not exist. */
  start(afterSeq?: number): Promise<void> {
    const joined = this.hubs.join(this.runId, (event) => this.enqueue(event));
    this.hub = joined.hub;
    this.leave = joined.leave;
    this.chain = (afterSeq === undefined ? this.snapshot() : this.resume(afterSeq)).catch((err: unknown) => {
      this.close();
      throw err;
    });
    return this.chain;
  }

  private async snapshot(): Promise<void> {
    const state = await this.hub.state();
    this.hub.advanceTo(state.seq);
    this.hub.noteState(state);
    // Unsubscribed (or subscribed anew) while the state was being read: the client asked for nothing more.
    if (this.closed) return;
    this.cursor = state.seq;
    this.send({ type: 'snapshot', runId: this.runId, seq: state.seq, state });
    await this.catchUp();
    // A snapshot of an ended run is all there is to follow.
    if (terminalStatuses.has(state.status)) this.end();
  }

  private async resume(afterSeq: number): Promise<void> {
    const state = await this.hub.state();
    this.cursor = afterSeq;
    const read = await this.catchUp();
    // Only as far as the run has gone: an afterSeq past its latest event must not move the hub, and every
    // follower of the run with it, past events still to come.
    this.hub.advanceTo(Math.max(read, Math.min(afterSeq, state.seq)));
    this.hub.noteState(state);
  }

  /** Delivers the events after the cursor; answers the newest seq read (0 when none). */
  private async catchUp(): Promise<number> {
    const events = await this.hub.eventsAfter(this.cursor);
    for (const event of events) this.deliver(event);
    return events.at(-1)?.seq ?? 0;
  }

  private enqueue(event: RunEvent): void {
    if (this.closed) return;
    if (isLiveOnly(event)) {
      // After the event it follows, never before: a client that has not seen the node start gets no progress.
      this.chain = this.chain.then(() => {
        if (this.closed || event.seq > this.cursor) return;
        if (event.type === 'node.progress') this.coalesce(event);
        else this.send(eventFrame(this.runId, event));
      }, () => {});
      return;
    }
    this.chain = this.chain.then(async () => {
      if (this.closed || event.seq <= this.cursor) return;
      if (event.seq === this.cursor + 1) this.deliver(event);
      else await this.catchUp();
    }, () => {});
  }

  private deliver(event: RunEvent): void {
    if (this.closed || event.seq !== this.cursor + 1) return;
    if (event.nodeId !== undefined) this.pendingProgress.delete(event.nodeId);
    this.cursor = event.seq;
    const { frame, text } = framedEvent(this.runId, event);
    this.send(frame, text);
    if (terminal.has(event.type)) this.end();
  }

  private coalesce(event: RunEvent): void {
    this.pendingProgress.set(event.nodeId ?? '', event);
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      const batch = [...this.pendingProgress.values()];
      this.pendingProgress.clear();
      for (const e of batch) if (!this.closed) this.send(eventFrame(this.runId, e));
    }, progressWindowMs);
  }

  /** The newest seq sent to the client. */
  get seq(): number {
    return this.cursor;
  }

  /** Tells the owner, once, that the run has ended and nothing more will follow. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.progressTimer);
    this.leave?.();
  }
}
