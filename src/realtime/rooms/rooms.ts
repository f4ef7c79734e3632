import type { Db } from '../../db/client.js';
import { retriedWrite } from '../../db/retried-write.js';
import { appendRoomEntry, listRoomEntries, roomEntriesAfter, roomPresence } from '../../db/rooms.js';
import { conflict, forbidden, notFound } from '../../errors.js';
import { controlRun } from '../../runs/control-run.js';
import { readRunState, type RunReaderDeps } from '../../runs/read-run.js';
import type { RunState } from '../../workflows/state.js';
import type { Participant, RoomEntry, RoomEntryKind } from './model.js';

/** Carries room entries to the other Weft processes (the PostgreSQL relay), when there are any. */
export interface RoomRelay {
  publishRoom(entry: RoomEntry): void;
}

type EntryListener = (entry: RoomEntry) => void;

/** How many of a room's latest entry ids a process remembers, so that none reaches its members twice. */
const rememberedIds = 500;

/** How a decision's room entry is tried again after its first write failed. */
const decisionRetryDelaysMs = [100, 400, 1_000];

/** True when `participant` may decide an approval assigned to `assignees` (ids, or `role:<role>`). */
export function mayDecide(participant: Participant, assignees: unknown): boolean {
  if (participant.role === 'viewer') return false;
  if (!Array.isArray(assignees) || assignees.length === 0) return true;
  return assignees.includes(participant.id) || assignees.includes(`role:${participant.role}`);
}

/**
 * Runs as rooms: participants join with an identity and a role, see who is there and what is said, decide
 * approvals assigned to them, and hand work to each other. Every entry is stored first (the record survives
 * the run and is replayable), then delivered to the room's members here and in other processes.
 */
export class Rooms {
  private readonly listeners = new Map<string, Set<EntryListener>>();
  /** Per room followed here: the ids of the entries delivered lately. */
  private readonly delivered = new Map<string, Set<number>>();
  relay: RoomRelay | undefined;

  constructor(private readonly db: Db, private readonly readers: RunReaderDeps) {}

  /** Follows a room's new entries; returns the unsubscribe function. */
  listen(runId: string, listener: EntryListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      this.listeners.set(runId, (set = new Set()));
      this.delivered.set(runId, new Set());
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(runId) === set) {
        this.listeners.delete(runId);
        this.delivered.delete(runId);
      }
    };
  }

  /**
   * Delivers an entry to this process's members of its room, once however it came: recorded here, relayed from
   * another process, or read back by {@link catchUp}.
   */
  deliver(entry: RoomEntry): void {
    const listeners = this.listeners.get(entry.runId);
    const delivered = this.delivered.get(entry.runId);
    if (!listeners || !delivered || delivered.has(entry.id)) return;
    delivered.add(entry.id);
    if (delivered.size > rememberedIds) delivered.delete(delivered.values().next().value!);
    listeners.forEach((listener) => listener(entry));
  }

  /** Delivers a stored entry another process recorded and could only name (too large to relay whole). */
  async deliverStored(runId: string, id: number): Promise<void> {
    if (!this.listeners.has(runId)) return;
    const [entry] = await listRoomEntries(this.db, runId, id - 1, 1);
    if (entry?.id === id) this.deliver(entry);
  }

  /**
   * Delivers what each room followed here recorded since the oldest entry it remembers delivering: the entries
   * other processes relayed while the relay could not hear them. Not from the newest: this process's own
   * entries, delivered at once, may be newer than one it missed. The rest it delivered already, and skips.
   */
  async catchUp(): Promise<void> {
    await Promise.all([...this.delivered].map(async ([runId, ids]) => {
      // A room that has delivered nothing yet is being joined; its members get what comes from now on.
      if (ids.size === 0) return;
      for await (const entry of roomEntriesAfter(this.db, runId, Math.min(...ids) - 1)) this.deliver(entry);
    }));
  }

  private async record(runId: string, kind: RoomEntryKind, participant: Participant, data?: unknown): Promise<RoomEntry> {
    const entry = await appendRoomEntry(this.db, { runId, kind, participant, data });
    this.deliver(entry);
    this.relay?.publishRoom(entry);
    return entry;
  }

  /** Joins a run's room (the run must exist) and answers who is there. */
  async join(runId: string, participant: Participant): Promise<Participant[]> {
    await readRunState(this.readers, runId);
    await this.record(runId, 'joined', participant);
    return roomPresence(this.db, runId);
  }

  leave(runId: string, participant: Participant): Promise<RoomEntry> {
    return this.record(runId, 'left', participant);
  }

  say(runId: string, participant: Participant, text: string): Promise<RoomEntry> {
    return this.record(runId, 'message', participant, { text });
  }

  /** Records an agent or person handing the work to another participant, with why and what it passes on. */
  handoff(runId: string, from: Participant, to: string, reason?: string, context?: unknown): Promise<RoomEntry> {
    return this.record(runId, 'handoff', from, { to, reason, context });
  }

  /** Decides a waiting approval as `participant`, if its role and the approval's assignees allow it. */
  async decide(runId: string, participant: Participant, decision: { nodeId: string; decision: 'approve' | 'reject'; comment?: string; data?: unknown }): Promise<RunState> {
    const state = await readRunState(this.readers, runId);
    const node = state.nodes.find((n) => n.id === decision.nodeId);
    if (!node) throw notFound(`node "${decision.nodeId}" of run "${runId}"`);
    if (node.type !== 'approval' || node.status !== 'waiting') throw conflict(`node "${decision.nodeId}" is not waiting for a decision (${node.status})`);
    if (!mayDecide(participant, node.waitingFor?.assignees)) {
      throw forbidden(`${participant.id} (${participant.role}) may not decide "${decision.nodeId}": it is assigned to ${JSON.stringify(node.waitingFor?.assignees ?? 'owners and approvers')}`);
    }
    const after = await controlRun(this.readers, runId, { kind: 'approve', by: participant.id, ...decision });
    await this.recordDecision(runId, participant, decision);
    return after;
  }

  /**
   * Adds a decision taken (here, or over the HTTP API) to the room's record, so the record holds every decision.
   * Never throws: the run holds the decision already, and an answer saying it failed would send the caller to
   * decide again, into a 409. A write that still fails after a few tries (the database is down) is logged, and
   * the run's events keep the decision, its author and comment. Resolves to the entry, or undefined then.
   */
  recordDecision(runId: string, participant: Participant, decision: { nodeId: string; decision: 'approve' | 'reject'; comment?: string }): Promise<RoomEntry | undefined> {
    const data = { nodeId: decision.nodeId, decision: decision.decision, comment: decision.comment };
    return retriedWrite(() => this.record(runId, 'decision', participant, data), decisionRetryDelaysMs, (err) => {
      console.error(`[weft] room of run ${runId}: could not record ${participant.id}'s decision on "${decision.nodeId}", which the run holds:`, err);
    });
  }

  /** The room's record after entry `afterId`. */
  entries(runId: string, afterId = 0): Promise<RoomEntry[]> {
    return listRoomEntries(this.db, runId, afterId);
  }
}
