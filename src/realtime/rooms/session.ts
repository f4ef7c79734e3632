import { WeftError, type WeftErrorType } from '../../errors.js';
import { formatPath } from '../../template/source.js';
import type { ErrorCode, ServerMessage } from '../protocol.js';
import { roomMessageSchema, type Participant, type RoomMessage } from './model.js';
import type { Rooms } from './rooms.js';

/** The socket's code for each kind of failure whose code is not `bad-message` (the message was at fault). */
const errorCodes: Partial<Record<WeftErrorType, ErrorCode>> = { 'not-found': 'not-found', forbidden: 'forbidden', conflict: 'conflict', unavailable: 'unavailable' };

/** One connection's part in rooms: which rooms it joined as whom, and the entries it receives. */
export class RoomSession {
  /** The rooms joined, each with its join as it is recorded: a leave is recorded after it, never before. */
  private readonly joined = new Map<string, { participant: Participant; stop: () => void; recorded: Promise<unknown> }>();

  constructor(private readonly rooms: Rooms, private readonly send: (message: ServerMessage) => void) {}

  private fail(err: unknown, runId: string): void {
    if (err instanceof WeftError) {
      this.send({ type: 'error', code: errorCodes[err.type] ?? 'bad-message', message: err.message, runId });
    } else {
      this.send({ type: 'error', code: 'internal', message: 'the room could not be updated; try again', runId });
    }
  }

  /** Handles a room message (already known to have a room type). */
  handle(raw: unknown): void {
    const parsed = roomMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? formatPath(issue.path.filter((k): k is string | number => typeof k !== 'symbol')) : '(root)';
      this.send({ type: 'error', code: 'bad-message', message: `${where}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    const message = parsed.data;
    // A message sent right after a join (or a leave) of its room waits for it to be recorded, rather than being
    // refused ("join first") or recorded before it. Nothing waits for other messages: a `say` after a `decide`
    // that waits on its run goes at once.
    const { runId } = message;
    const applied = (this.membership.get(runId) ?? Promise.resolve()).then(() => this.apply(message));
    if (message.type === 'join' || message.type === 'leave') {
      const settled = applied.catch(() => undefined);
      this.membership.set(runId, settled);
      void settled.then(() => this.membership.get(runId) === settled && this.membership.delete(runId));
    }
    applied.catch((err: unknown) => this.fail(err, runId));
  }

  /** Per room, the join or leave being recorded, which the room's next messages wait for. */
  private readonly membership = new Map<string, Promise<unknown>>();

  private async apply(message: RoomMessage): Promise<void> {
    const { runId } = message;
    if (message.type === 'join') {
      await this.leaveRoom(runId);
      const stop = this.rooms.listen(runId, (entry) => this.send({ type: 'room', runId, entry }));
      const recorded = this.rooms.join(runId, message.participant);
      const member = { participant: message.participant, stop, recorded };
      this.joined.set(runId, member);
      try {
        this.send({ type: 'presence', runId, participants: await recorded });
      } catch (err) {
        stop();
        if (this.joined.get(runId) === member) this.joined.delete(runId);
        throw err;
      }
      return;
    }
    const member = this.joined.get(runId);
    if (!member) throw new WeftError('conflict', `join the room of run "${runId}" first`);
    switch (message.type) {
      case 'leave': return this.leaveRoom(runId);
      case 'say': await this.rooms.say(runId, member.participant, message.text); return;
      case 'handoff': await this.rooms.handoff(runId, member.participant, message.to, message.reason, message.context); return;
      case 'decide': {
        const state = await this.rooms.decide(runId, member.participant, message);
        this.send({ type: 'decided', runId, nodeId: message.nodeId, status: state.status });
      }
    }
  }

  private async leaveRoom(runId: string): Promise<void> {
    const member = this.joined.get(runId);
    if (!member) return;
    this.joined.delete(runId);
    member.stop();
    // A leave recorded before its join (the connection closed as it joined) would leave the participant present.
    if (await member.recorded.then(() => true, () => false)) await this.rooms.leave(runId, member.participant);
  }

  /** Leaves every room (the connection closed). */
  close(): void {
    for (const runId of [...this.joined.keys()]) void this.leaveRoom(runId).catch(() => {});
  }
}
