import { and, asc, eq, gt } from 'drizzle-orm';
import type { Participant, RoomEntry, RoomEntryKind } from '../realtime/rooms/model.js';
import type { Db } from './client.js';
import { roomEntriesTable, type RoomEntryRow } from './schema.js';

function toEntry(row: RoomEntryRow): RoomEntry {
  const participant: Participant = { id: row.participantId, role: row.role as Participant['role'] };
  if (row.participantName !== null) participant.name = row.participantName;
  const entry: RoomEntry = { id: row.id, runId: row.runId, kind: row.kind as RoomEntryKind, participant, at: row.at.toISOString() };
  if (row.data !== null) entry.data = row.data;
  return entry;
}

/** Appends an entry to a run's room record and returns it with its id and time. */
export async function appendRoomEntry(db: Db, entry: { runId: string; kind: RoomEntryKind; participant: Participant; data?: unknown }): Promise<RoomEntry> {
  const [row] = await db.insert(roomEntriesTable).values({
    runId: entry.runId, kind: entry.kind, participantId: entry.participant.id, participantName: entry.participant.name ?? null,
    role: entry.participant.role, data: entry.data ?? null,
  }).returning();
  return toEntry(row!);
}

/** How many room entries {@link listRoomEntries} answers at most, unless told. */
const roomEntryPageSize = 1000;

/** A room's record after entry `afterId`, oldest first. */
export async function listRoomEntries(db: Db, runId: string, afterId = 0, limit = roomEntryPageSize): Promise<RoomEntry[]> {
  const rows = await db.select().from(roomEntriesTable)
    .where(and(eq(roomEntriesTable.runId, runId), gt(roomEntriesTable.id, afterId)))
    .orderBy(asc(roomEntriesTable.id)).limit(limit);
  return rows.map(toEntry);
}

/** Every entry of a room's record after entry `afterId`, oldest first, read a page at a time. */
export async function* roomEntriesAfter(db: Db, runId: string, afterId = 0): AsyncGenerator<RoomEntry> {
  for (let after = afterId; ;) {
    const page = await listRoomEntries(db, runId, after);
    yield* page;
    if (page.length < roomEntryPageSize) return;
    after = page.at(-1)!.id;
  }
}

/**
 * Who is in the room now, by its record: everyone with more joins than leaves, as their latest join names them.
 * One identity may be in the room from several connections (two tabs); it stays present until the last leaves.
 */
export async function roomPresence(db: Db, runId: string): Promise<Participant[]> {
  const present = new Map<string, { participant: Participant; joins: number }>();
  for await (const entry of roomEntriesAfter(db, runId)) {
    const { id } = entry.participant;
    const seen = present.get(id);
    if (entry.kind === 'joined') present.set(id, { participant: entry.participant, joins: (seen?.joins ?? 0) + 1 });
    else if (entry.kind === 'left' && seen) {
      if (seen.joins > 1) seen.joins--;
      else present.delete(id);
    }
  }
  return [...present.values()].map((p) => p.participant);
}
