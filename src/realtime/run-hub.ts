import { setMaxListeners } from 'node:events';
import { terminalRunStatuses, type RunEvent, type RunState } from '../workflows/state.js';
import type { EventBus } from './event-bus.js';

/** Where a hub reads a run: its events after a seq, and its state (the workflow while open, the index once closed). */
export interface RunSource {
  events(runId: string, afterSeq: number): Promise<RunEvent[]>;
  state(runId: string): Promise<RunState>;
}

const terminal = new Set(['run.completed', 'run.failed', 'run.cancelled']);
const bufferSize = 2_000;
/**
 * How soon a hub reads again when a repair left a gap before events it holds (the read failed, or came too
 * early); twice as late after each such repair, up to the idle check's interval.
 */
export const repairRetryMs = 250;
/** How long an open run may stay silent before its hub checks for events it missed. */
export const defaultIdleCheckMs = 5_000;

/**
 * Events from activities (`node.progress`, Temporal's own retries) that carry the seq they follow and a `sub`
 * number: they are passed on as they come and never stored or ordered against the run's seq.
 */
export function isLiveOnly(event: RunEvent): boolean {
  return event.sub !== undefined;
}

/** A receiver of a run's events, in seq order, each once (progress events may interleave). */
export type HubListener = (event: RunEvent) => void;

/**
 * One run as this process follows it, shared by every subscriber: live events from the bus are put in seq
 * order, a gap is repaired once from the source for everyone, and a recent window is kept so that joining
 * clients catch up without a query. An idle open run is checked now and then, so a lost live event is
 * noticed even when no later one comes.
 */
export class RunHub {
  private lastSeq = 0;
  private readonly recent: RunEvent[] = [];
  private readonly listeners = new Set<HubListener>();
  private repairing: Promise<void> | undefined;
  /**
   * Live events that came while a repair was reading, or past a gap: delivered in order once the events before
   * them are. A repair's read may have started before they happened, so dropping them would leave every
   * subscriber waiting for the next live event or idle check.
   */
  private readonly held = new Map<number, RunEvent>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Repairs in a row that left a gap: a source that keeps failing is not read ever faster than the idle check. */
  private retries = 0;
  private closed = false;
  private readonly unsubscribers: Array<() => void>;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private stateInFlight: Promise<RunState> | undefined;
  ended = false;

  constructor(readonly runId: string, bus: EventBus, private readonly source: RunSource, private readonly idleCheckMs = defaultIdleCheckMs) {
    this.unsubscribers = [bus.subscribe(runId, (_id, event) => this.onLive(event)), bus.onHint(runId, () => void this.repair())];
    this.idleTimer = setInterval(() => {
      if (!this.ended && Date.now() - this.lastActivity >= idleCheckMs) void this.repair();
    }, idleCheckMs);
    this.idleTimer.unref();
  }

  /**
   * The run's state, read once for every subscriber that asks while a read is under way: a thousand clients
   * joining one run cost one query, not a thousand. Subscribers catch up from the state's seq, so a read that
   * started a moment earlier is as good.
   */
  state(): Promise<RunState> {
    this.stateInFlight ??= this.source.state(this.runId).finally(() => {
      this.stateInFlight = undefined;
    });
    return this.stateInFlight;
  }

  /** The newest seq the hub has delivered. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Starts following from `seq` (a snapshot's, or a resuming client's) when the hub knows nothing newer. */
  advanceTo(seq: number): void {
    if (this.recent.length === 0 && seq > this.lastSeq) this.lastSeq = seq;
  }

  /**
   * Takes note of the run's state as a subscriber read it: a run that has closed, with every event up to its
   * last delivered here, needs no more idle checks, as nothing more can come.
   */
  noteState(state: RunState): void {
    if (terminalRunStatuses.includes(state.status) && this.lastSeq >= state.seq) this.ended = true;
  }

  listen(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Events after `seq`: from the window when it covers them, else from the source. */
  async eventsAfter(seq: number): Promise<RunEvent[]> {
    const first = this.recent[0];
    if (first && first.seq <= seq + 1) return this.recent.filter((e) => e.seq > seq);
    return this.source.events(this.runId, seq);
  }

  private deliver(event: RunEvent): void {
    this.lastActivity = Date.now();
    if (isLiveOnly(event)) {
      this.listeners.forEach((l) => l(event));
      return;
    }
    if (event.seq !== this.lastSeq + 1) return;
    this.lastSeq = event.seq;
    this.recent.push(event);
    if (this.recent.length > bufferSize) this.recent.splice(0, this.recent.length - bufferSize);
    if (terminal.has(event.type)) this.ended = true;
    this.listeners.forEach((l) => l(event));
  }

  private onLive(event: RunEvent): void {
    if (isLiveOnly(event)) return this.deliver(event);
    if (event.seq <= this.lastSeq) return;
    if (event.seq === this.lastSeq + 1 && !this.repairing) {
      this.deliver(event);
      if (this.held.size > 0) this.releaseHeld();
      return;
    }
    // Bounded: past the window, the repair's read serves them anyway.
    if (this.held.size < bufferSize) this.held.set(event.seq, event);
    void this.repair();
  }

  /** Delivers the held events that now follow on, forgets those already delivered; true when none is left. */
  private releaseHeld(): boolean {
    for (let next = this.held.get(this.lastSeq + 1); next; next = this.held.get(this.lastSeq + 1)) {
      this.held.delete(next.seq);
      this.deliver(next);
    }
    for (const seq of this.held.keys()) if (seq <= this.lastSeq) this.held.delete(seq);
    return this.held.size === 0;
  }

  /** Fetches every event after the last one delivered and delivers them in order, then those it holds. */
  repair(): Promise<void> {
    this.repairing ??= (async () => {
      try {
        for (const event of await this.source.events(this.runId, this.lastSeq)) this.deliver(event);
      } catch {
        // Tried again below while events are held, else at the next live event or idle check.
      } finally {
        this.repairing = undefined;
        this.lastActivity = Date.now();
      }
      if (this.releaseHeld() || this.closed) {
        this.retries = 0;
        return;
      }
      const delay = Math.min(repairRetryMs * 2 ** this.retries++, this.idleCheckMs);
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        void this.repair();
      }, delay);
      this.retryTimer.unref();
    })();
    return this.repairing;
  }

  close(): void {
    this.closed = true;
    this.unsubscribers.forEach((stop) => stop());
    clearInterval(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.held.clear();
  }
}

/** The hubs of one process, created on first subscriber and closed with the last. */
export class RunHubs {
  private readonly hubs = new Map<string, RunHub>();
  private readonly shutdown = new AbortController();
  /** Aborted when the process closes every hub (it is shutting down): streams that follow runs end then. */
  readonly closed: AbortSignal = this.shutdown.signal;

  constructor(private readonly bus: EventBus, private readonly source: RunSource, private readonly idleCheckMs = defaultIdleCheckMs) {
    // Every open stream listens: Node's warning past 10 listeners would take many viewers for a leak.
    setMaxListeners(0, this.closed);
  }

  /** The run's hub and a release function for the caller's listener. */
  join(runId: string, listener: HubListener): { hub: RunHub; leave: () => void } {
    let hub = this.hubs.get(runId);
    if (!hub) this.hubs.set(runId, (hub = new RunHub(runId, this.bus, this.source, this.idleCheckMs)));
    const stop = hub.listen(listener);
    const joined = hub;
    return {
      hub: joined,
      leave: () => {
        stop();
        if (joined.listenerCount === 0 && this.hubs.get(runId) === joined) {
          joined.close();
          this.hubs.delete(runId);
        }
      },
    };
  }

  closeAll(): void {
    this.hubs.forEach((h) => h.close());
    this.hubs.clear();
    this.shutdown.abort();
  }
}
