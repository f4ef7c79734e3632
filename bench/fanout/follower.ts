import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/realtime/protocol.js';

const terminal = new Set(['run.completed', 'run.failed', 'run.cancelled']);

/** Where followers report each event's arrival: the run, its seq, and `performance.now()` on arrival. */
export type ArrivalSink = (runId: string, seq: number, arrivedAt: number) => void;

/**
 * One WebSocket client following one run from its snapshot, as a dashboard does. It checks the feed as it
 * comes: every seq after the snapshot's exactly once and in order; a skipped seq counts as a gap, a seq at or
 * below the last one as a duplicate.
 */
export class Follower {
  snapshotSeq: number | undefined;
  /** `performance.now()` when the subscribe frame went out, and when the snapshot came back. */
  subscribedAt = 0;
  snapshotAt: number | undefined;
  lastSeq = 0;
  events = 0;
  gaps = 0;
  duplicates = 0;
  ended = false;
  closeCode: number | undefined;
  errors: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket, readonly runId: string, private readonly arrived: ArrivalSink) {
    socket.on('message', (data: Buffer) => this.onFrame(JSON.parse(data.toString()) as ServerMessage));
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens a socket to `wsUrl` and subscribes to `runId` (no `afterSeq`: the bridge answers with a snapshot). */
  static open(wsUrl: string, runId: string, arrived: ArrivalSink): Promise<Follower> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      socket.once('error', reject);
      socket.once('open', () => {
        const follower = new Follower(socket, runId, arrived);
        follower.subscribedAt = performance.now();
        socket.send(JSON.stringify({ type: 'subscribe', runId }));
        resolve(follower);
      });
    });
  }

  private onFrame(frame: ServerMessage): void {
    const now = performance.now();
    if (frame.type === 'snapshot') {
      this.snapshotSeq = this.lastSeq = frame.seq;
      this.snapshotAt = now;
    } else if (frame.type === 'event' && frame.sub === undefined) {
      this.events++;
      if (frame.seq <= this.lastSeq) this.duplicates++;
      else {
        this.gaps += frame.seq - this.lastSeq - 1;
        this.lastSeq = frame.seq;
      }
      this.arrived(this.runId, frame.seq, now);
      if (terminal.has(frame.event)) this.ended = true;
    } else if (frame.type === 'error') {
      this.errors.push(`${frame.code}: ${frame.message}`);
    }
    this.wake();
  }

  private wake(): void {
    this.waiters.forEach((w) => w());
  }

  /** Resolves when `done()` holds, the socket closes or `timeoutMs` passes; true when `done()` held. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!done() && this.closeCode === undefined && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - performance.now()));
        this.waiters.add(wake);
      });
    }
    return done();
  }

  close(): void {
    this.socket.close();
  }
}
