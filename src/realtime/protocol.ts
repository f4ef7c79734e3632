import { maxRunIdLength } from '../workflows/definitions.js';
import type { RunEvent, RunState } from '../workflows/state.js';
import type { Participant, RoomEntry } from './rooms/model.js';

/** What a client may send on `/ws`. */
export type ClientMessage =
  | { type: 'subscribe'; runId: string; afterSeq?: number }
  | { type: 'unsubscribe'; runId: string }
  | { type: 'ping' };

/** What the bridge sends. `event` frames for one run arrive in seq order, each once. */
export type ServerMessage =
  | { type: 'snapshot'; runId: string; seq: number; state: RunState }
  | { type: 'event'; runId: string; seq: number; sub?: number; event: RunEvent['type']; nodeId?: string; at: string; data?: unknown }
  | { type: 'pong' }
  | { type: 'presence'; runId: string; participants: Participant[] }
  | { type: 'room'; runId: string; entry: RoomEntry }
  | { type: 'decided'; runId: string; nodeId: string; status: RunState['status'] }
  | { type: 'error'; code: ErrorCode; message: string; runId?: string };

/** Machine-readable reasons in `error` frames. */
export type ErrorCode = 'bad-message' | 'not-found' | 'forbidden' | 'conflict' | 'too-many-subscriptions' | 'rate-limited' | 'unavailable' | 'internal';

/** The codes of errors that a client may meet again by sending the same message later (no worker answered; a database hiccup). */
export const passingErrors: readonly ErrorCode[] = ['unavailable', 'internal'];

/** Close codes the bridge uses; 4000–4999 are the application's own. */
export const closeCodes = {
  /** The client fell too far behind: reconnect and resubscribe with `afterSeq`. */
  slowConsumer: 4001,
  /** No answer to heartbeats. */
  heartbeatTimeout: 4002,
  /** The client kept sending far beyond the rate limit. */
  abusive: 4003,
  /** The server is shutting down: reconnect elsewhere and resume with `afterSeq`. */
  goingAway: 1001,
} as const;

const framed = new WeakMap<RunEvent, { frame: ServerMessage; text: string }>();

/**
 * An event's frame and its JSON, made once per event however many clients follow the run (a hub hands every
 * subscriber the same event object).
 */
export function framedEvent(runId: string, event: RunEvent): { frame: ServerMessage; text: string } {
  let entry = framed.get(event);
  if (!entry) {
    const frame = eventFrame(runId, event);
    framed.set(event, (entry = { frame, text: JSON.stringify(frame) }));
  }
  return entry;
}

/** An event as the bridge frames it. */
export function eventFrame(runId: string, event: RunEvent): ServerMessage {
  const frame: ServerMessage = { type: 'event', runId, seq: event.seq, event: event.type, at: event.at };
  if (event.sub !== undefined) frame.sub = event.sub;
  if (event.nodeId !== undefined) frame.nodeId = event.nodeId;
  if (event.data !== undefined) frame.data = event.data;
  return frame;
}


/** A room message (join, leave, say, decide, handoff), checked by the room session. */
export interface RoomFrame {
  type: 'room';
  message: Record<string, unknown>;
}

const roomTypes = new Set(['join', 'leave', 'say', 'decide', 'handoff']);

/** Parses one client frame; a string answer is the reason it was refused. */
export function parseClientMessage(raw: string): ClientMessage | RoomFrame | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'the message is not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'the message must be a JSON object';
  const m = value as Record<string, unknown>;
  if (m.type === 'ping') return { type: 'ping' };
  if (typeof m.type === 'string' && roomTypes.has(m.type)) return { type: 'room', message: m };
  if (m.type !== 'subscribe' && m.type !== 'unsubscribe') return 'type must be subscribe, unsubscribe, ping, join, leave, say, decide or handoff';
  if (typeof m.runId !== 'string' || m.runId.length === 0 || m.runId.length > maxRunIdLength) return `runId must be a string of 1 to ${maxRunIdLength} characters`;
  if (m.type === 'unsubscribe') return { type: 'unsubscribe', runId: m.runId };
  if (m.afterSeq !== undefined && !(Number.isSafeInteger(m.afterSeq) && (m.afterSeq as number) >= 0)) return 'afterSeq must be a non-negative integer';
  return { type: 'subscribe', runId: m.runId, afterSeq: m.afterSeq as number | undefined };
}
