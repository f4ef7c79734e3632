import WebSocket from 'ws';
import type { ServerMessage } from '../../src/realtime/protocol.js';

/** A real `ws` client that records every frame, for asserting on the bridge. */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new TestSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until `done(messages)` holds (or the socket closes), then returns the messages. */
  async until(done: (messages: ServerMessage[]) => boolean, timeoutMs = 30_000): Promise<ServerMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) before the condition held: ${JSON.stringify(this.messages.slice(-5))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; last frames: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  /** Waits for the socket to close and returns its close code. */
  async closed(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.closeCode === undefined) throw new Error('the socket did not close');
    return this.closeCode;
  }

  close(): void {
    this.socket.close();
  }
}

type EventFrame = Extract<ServerMessage, { type: 'event' }>;

/** The state-change `event` frames of one run (those with a seq of their own), in arrival order. */
export function eventsOf(messages: ServerMessage[], runId: string): EventFrame[] {
  return messages.filter((m): m is EventFrame => m.type === 'event' && m.runId === runId && m.sub === undefined);
}

/** The live-only frames of one run (`node.progress`, activity retries): they carry the seq they follow and a `sub`. */
export function liveOnlyOf(messages: ServerMessage[], runId: string): EventFrame[] {
  return messages.filter((m): m is EventFrame => m.type === 'event' && m.runId === runId && m.sub !== undefined);
}

/** True once the run's final event has arrived. */
export const runEnded = (runId: string) => (messages: ServerMessage[]) =>
  eventsOf(messages, runId).some((e) => ['run.completed', 'run.failed', 'run.cancelled'].includes(e.event));
