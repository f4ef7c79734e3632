/** The bridge's protections, each with a reason. */
export interface BridgeLimits {
  /** Largest frame a client may send (bytes). */
  maxMessageBytes: number;
  /** Runs one connection may follow at once. */
  maxSubscriptions: number;
  /** Sustained client messages per second, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Messages over the limit before the connection is closed as abusive. */
  maxRejectedMessages: number;
  /**
   * Bytes queued for a client past which it is behind. A client that stays behind for {@link slowConsumerGraceMs}
   * counts as a slow consumer and is closed (it resumes with afterSeq). A burst sent in one turn (a fan-in's
   * outputs) can pass this at once for a client that reads as fast as it can, so passing it alone is no verdict.
   */
  maxBufferedBytes: number;
  /** How long a client may stay past {@link maxBufferedBytes} before it is closed. */
  slowConsumerGraceMs: number;
  /** Bytes queued for a client past which it is closed at once: what one connection may hold of the server's memory. */
  hardBufferedBytes: number;
  /** How often the server pings; a client that has not answered the previous ping is reaped. */
  heartbeatMs: number;
}

/** Defaults suited to dashboards and chat front ends on one small machine. */
export const defaultLimits: BridgeLimits = {
  maxMessageBytes: 1024 * 1024,
  maxSubscriptions: 100,
  messagesPerSecond: 50,
  messageBurst: 100,
  maxRejectedMessages: 200,
  maxBufferedBytes: 4 * 1024 * 1024,
  slowConsumerGraceMs: 5_000,
  hardBufferedBytes: 64 * 1024 * 1024,
  heartbeatMs: 30_000,
};

/** A token bucket: `take()` is false when the caller is over its rate. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly perSecond: number, private readonly burst: number) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
