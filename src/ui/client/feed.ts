import type { RunState } from '../../workflows/state.js';
import { closeCodes, passingErrors, type ServerMessage } from '../../realtime/protocol.js';

/** An `event` frame from `/ws`. Live-only events (progress) repeat the seq they follow and carry `sub`. */
export type EventFrame = Extract<ServerMessage, { type: 'event' }>;

/** How the page's link to the server is doing, for the indicator in the header. */
export type Connection = 'connecting' | 'live' | 'reconnecting';

/** What a {@link RunFeed} reports to its page. */
export interface FeedHandlers {
  snapshot(state: RunState): void;
  event(frame: EventFrame): void;
  problem(message: string): void;
  connection(state: Connection): void;
}

const pingEveryMs = 15_000;
const silentForMs = 40_000;

/**
 * Follows one run over `/ws`, for as long as the page is open. The first subscription asks for a snapshot;
 * after any disconnect the feed reconnects (backing off) and resubscribes with `afterSeq` = the last seq it
 * saw, so the page gets exactly the events it missed: none twice, none lost.
 */
export class RunFeed {
  private socket: WebSocket | undefined;
  private lastSeq: number | undefined;
  private failures = 0;
  private stopped = false;
  private lastHeard = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly url: string, private readonly runId: string, private readonly on: FeedHandlers) {}

  /** The seq of the last event applied (or of the snapshot). */
  get seq(): number | undefined {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    this.timer = setInterval(() => this.heartbeat(), pingEveryMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.socket?.close(1000);
  }

  private connect(): void {
    this.on.connection(this.failures === 0 && this.lastSeq === undefined ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.lastHeard = Date.now();
      this.failures = 0;
      this.subscribe();
      this.on.connection('live');
    });
    socket.addEventListener('message', (message) => {
      this.lastHeard = Date.now();
      if (typeof message.data === 'string') this.receive(JSON.parse(message.data) as ServerMessage);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = undefined;
      this.on.connection('reconnecting');
      const wait = event.code === closeCodes.slowConsumer || event.code === closeCodes.goingAway ? 0 : Math.min(5000, 250 * 2 ** this.failures) + Math.random() * 250;
      this.failures++;
      setTimeout(() => !this.stopped && this.connect(), wait);
    });
  }

  private retry: ReturnType<typeof setTimeout> | undefined;
  private refused = 0;

  private resubscribeLater(): void {
    clearTimeout(this.retry);
    const wait = Math.min(30_000, 1000 * 2 ** this.refused++);
    this.retry = setTimeout(() => !this.stopped && this.subscribe(), wait);
  }

  private subscribe(): void {
    const message = this.lastSeq === undefined ? { type: 'subscribe', runId: this.runId } : { type: 'subscribe', runId: this.runId, afterSeq: this.lastSeq };
    this.socket?.send(JSON.stringify(message));
  }

  private receive(frame: ServerMessage): void {
    if (frame.type === 'error') {
      this.on.problem(frame.message);
      // A subscription the server could not serve (no worker answered, a database hiccup) is dropped there: ask
      // again in a while, so the page picks the run up again once it can be read.
      if (frame.runId === this.runId && passingErrors.includes(frame.code)) this.resubscribeLater();
      return;
    }
    if (frame.type === 'snapshot' && frame.runId === this.runId) {
      this.refused = 0;
      this.lastSeq = frame.seq;
      return this.on.snapshot(frame.state);
    }
    // Everything else (pongs, acknowledgements, room traffic) does not change the run's state.
    if (frame.type !== 'event' || frame.runId !== this.runId) return;
    const last = this.lastSeq ?? 0;
    if (frame.seq === last + 1 && frame.sub === undefined) {
      this.refused = 0;
      this.lastSeq = frame.seq;
      return this.on.event(frame);
    }
    // Live-only events follow the seq they repeat; anything else at or below it was seen already.
    if (frame.seq <= last) {
      if (frame.sub !== undefined || frame.event === 'node.progress') this.on.event(frame);
      return;
    }
    // A gap: ask again from the last seq applied. The bridge answers with exactly the missing events.
    this.subscribe();
  }

  private heartbeat(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > silentForMs) return socket.close(4002, 'no answer to ping');
    socket.send(JSON.stringify({ type: 'ping' }));
  }
}

/** The `/ws` URL of the server that served the page. */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
