import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { RunReaderDeps } from '../runs/read-run.js';
import { defaultLimits, TokenBucket, type BridgeLimits } from './limits.js';
import { closeCodes, parseClientMessage, type ErrorCode, type ServerMessage } from './protocol.js';
import type { RunHubs } from './run-hub.js';
import type { Rooms } from './rooms/rooms.js';
import { RoomSession } from './rooms/session.js';
import { failedRead, Subscription } from './subscription.js';

/** What the bridge forwards from. */
export interface BridgeDeps {
  readers: RunReaderDeps;
  hubs: RunHubs;
  /** Run rooms; without them, room messages are refused. */
  rooms?: Rooms;
  limits?: Partial<BridgeLimits>;
}

function text(data: RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as Uint8Array).toString();
}

/** Serves one socket: its subscriptions, its limits, and nothing it sends can break the bridge. */
function serveConnection(socket: WebSocket, deps: BridgeDeps, limits: BridgeLimits): void {
  const subscriptions = new Map<string, Subscription>();
  const bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
  let rejected = 0;

  // Frames sent in one turn of the event loop leave in one write: a burst of events (timers firing together,
  // a fan-in) costs one system call per connection, not one per frame. `ws` keeps its TCP socket as `_socket`.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  let corked = false;
  /** Since when the client has been past `maxBufferedBytes`, as the last send found it. */
  let behindSince: number | undefined;
  const send = (message: ServerMessage, text?: string) => {
    if (socket.readyState !== socket.OPEN) return;
    const buffered = socket.bufferedAmount;
    if (buffered > limits.maxBufferedBytes) {
      const now = Date.now();
      behindSince ??= now;
      if (buffered > limits.hardBufferedBytes || now - behindSince >= limits.slowConsumerGraceMs) {
        socket.close(closeCodes.slowConsumer, 'slow consumer: reconnect and resubscribe with afterSeq');
        return;
      }
    } else {
      behindSince = undefined;
    }
    if (tcp && !corked) {
      corked = true;
      tcp.cork();
      process.nextTick(() => {
        corked = false;
        tcp.uncork();
      });
    }
    socket.send(text ?? JSON.stringify(message));
  };
  const roomSession = deps.rooms ? new RoomSession(deps.rooms, (m) => send(m)) : undefined;
  const error = (code: ErrorCode, message: string, runId?: string) => send(runId ? { type: 'error', code, message, runId } : { type: 'error', code, message });

  socket.on('message', (data) => {
    if (!bucket.take()) {
      if (++rejected > limits.maxRejectedMessages) socket.close(closeCodes.abusive, 'too many messages');
      else error('rate-limited', `at most ${limits.messagesPerSecond} messages a second`);
      return;
    }
    const message = parseClientMessage(text(data));
    if (typeof message === 'string') return error('bad-message', message);
    if (message.type === 'ping') return send({ type: 'pong' });
    if (message.type === 'room') return roomSession ? roomSession.handle(message.message) : error('bad-message', 'this server hosts no rooms');
    subscriptions.get(message.runId)?.close();
    subscriptions.delete(message.runId);
    if (message.type === 'unsubscribe') return;
    if (subscriptions.size >= limits.maxSubscriptions) {
      return error('too-many-subscriptions', `a connection follows at most ${limits.maxSubscriptions} runs`, message.runId);
    }
    // A subscription whose run has ended gives its place back: nothing more will come.
    const subscription: Subscription = new Subscription(deps.hubs, message.runId, send, () => {
      if (subscriptions.get(message.runId) === subscription) subscriptions.delete(message.runId);
    });
    subscriptions.set(message.runId, subscription);
    subscription.start(message.afterSeq).catch((err: unknown) => {
      if (subscriptions.get(message.runId) === subscription) subscriptions.delete(message.runId);
      const { code, message: why } = failedRead(err, message.runId);
      error(code, why, message.runId);
    });
  });
  socket.on('close', () => {
    roomSession?.close();
    subscriptions.forEach((s) => s.close());
    subscriptions.clear();
  });
  socket.on('error', () => socket.terminate());
}

/** Attaches the realtime bridge at `GET /ws` on the API's HTTP server. */
export function attachBridge(server: Server, deps: BridgeDeps): { wss: WebSocketServer; close(): void } {
  const limits = { ...defaultLimits, ...deps.limits };
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: limits.maxMessageBytes });
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    serveConnection(socket, deps, limits);
  });
  // The application heartbeat: a socket that did not answer the last ping is gone (a dead peer or network).
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.close(closeCodes.heartbeatTimeout, 'no answer to heartbeat');
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();
  return {
    wss,
    close() {
      clearInterval(heartbeat);
      for (const socket of wss.clients) socket.close(closeCodes.goingAway, 'server shutting down: resume with afterSeq');
      wss.close();
    },
  };
}
