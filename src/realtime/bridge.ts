import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Db } from '../db/client.js';
import { readRunEvents, readRunState } from '../runs/read-run.js';
import type { RunEvent } from '../workflows/state.js';
import type { EventBus } from './event-bus.js';

/** What the bridge forwards from. */
export interface BridgeDeps {
  db: Db;
  client: Client;
  bus: EventBus;
}

type ClientMessage = { type: 'subscribe'; runId: string; afterSeq?: number } | { type: 'unsubscribe'; runId: string } | { type: 'ping' };

const maxMessageBytes = 1024 * 1024;

function parseMessage(raw: string): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'the message is not JSON';
  }
  const m = value as Partial<Record<string, unknown>>;
  if (m === null || typeof m !== 'object') return 'the message must be an object';
  if (m.type === 'ping') return { type: 'ping' };
  if ((m.type === 'subscribe' || m.type === 'unsubscribe') && typeof m.runId === 'string' && m.runId.length > 0) {
    if (m.type === 'unsubscribe') return { type: 'unsubscribe', runId: m.runId };
    if (m.afterSeq !== undefined && !(Number.isInteger(m.afterSeq) && (m.afterSeq as number) >= 0)) return 'afterSeq must be a non-negative integer';
    return { type: 'subscribe', runId: m.runId, afterSeq: m.afterSeq as number | undefined };
  }
  return 'expected {"type":"subscribe","runId":…}, {"type":"unsubscribe","runId":…} or {"type":"ping"}';
}

/**
 * One run followed by one socket: live events from the bus in seq order, with any gap repaired from the run's
 * events (the query, or the index once closed), so the client sees every event once.
 */
class RunFeed {
  private lastSeq: number;
  private repairing: Promise<void> | undefined;
  readonly unsubscribe: () => void;

  constructor(private readonly deps: BridgeDeps, private readonly socket: WebSocket, private readonly runId: string, afterSeq: number) {
    this.lastSeq = afterSeq;
    this.unsubscribe = deps.bus.subscribe(runId, (_id, event) => this.onLive(event));
  }

  private send(event: RunEvent): void {
    if (event.seq !== this.lastSeq + 1) return;
    this.lastSeq = event.seq;
    this.socket.send(JSON.stringify({ type: 'event', runId: this.runId, seq: event.seq, event: event.type, nodeId: event.nodeId, at: event.at, data: event.data }));
  }

  private onLive(event: RunEvent): void {
    if (event.seq <= this.lastSeq) return;
    if (event.seq === this.lastSeq + 1 && !this.repairing) return this.send(event);
    void this.repair();
  }

  /** Fetches every event after the last one sent and sends them in order. */
  repair(): Promise<void> {
    this.repairing ??= (async () => {
      try {
        for (const event of await readRunEvents(this.deps, this.runId, this.lastSeq)) this.send(event);
      } catch {
        // The next live event triggers another repair.
      } finally {
        this.repairing = undefined;
      }
    })();
    return this.repairing;
  }

  /** Sends the run's snapshot and continues from the seq it reflects. */
  async snapshot(): Promise<void> {
    const state = await readRunState(this.deps, this.runId);
    this.lastSeq = state.seq;
    this.socket.send(JSON.stringify({ type: 'snapshot', runId: this.runId, seq: state.seq, state }));
    await this.repair();
  }
}

/** Attaches the realtime bridge at `GET /ws` on the API's HTTP server. */
export function attachBridge(server: Server, deps: BridgeDeps): WebSocketServer {
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: maxMessageBytes });
  wss.on('connection', (socket) => {
    const feeds = new Map<string, RunFeed>();
    const error = (code: string, message: string) => socket.send(JSON.stringify({ type: 'error', code, message }));
    socket.on('message', (data) => {
      const message = parseMessage(Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as Uint8Array).toString());
      if (typeof message === 'string') return error('bad-message', message);
      if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
      feeds.get(message.runId)?.unsubscribe();
      feeds.delete(message.runId);
      if (message.type === 'unsubscribe') return;
      const feed = new RunFeed(deps, socket, message.runId, message.afterSeq ?? 0);
      feeds.set(message.runId, feed);
      const ready = message.afterSeq === undefined ? feed.snapshot() : feed.repair();
      ready.catch((err: unknown) => {
        feed.unsubscribe();
        feeds.delete(message.runId);
        error('not-found', (err as Error).message);
      });
    });
    socket.on('close', () => feeds.forEach((f) => f.unsubscribe()));
  });
  return wss;
}
