import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { retriedWrite } from '../db/retried-write.js';
import type { RunEvent } from '../workflows/state.js';
import type { EventBus, LivePath } from './event-bus.js';
import type { RoomEntry } from './rooms/model.js';
import type { Rooms } from './rooms/rooms.js';

/** The channel live events travel on between Weft processes. */
export const eventsChannel = 'weft_events';
/** The channel room entries travel on. */
export const roomsChannel = 'weft_rooms';

/** NOTIFY payloads must stay under 8000 bytes; larger events travel as a hint and are fetched on demand. */
const maxPayloadBytes = 7_000;
/** How a room entry's NOTIFY is tried again while this process's connection is down. */
const roomNotifyRetryDelaysMs = [250, 1_000, 4_000];

interface Envelope {
  /** The sending process, so a process ignores its own notifications. */
  o: string;
  r: string;
  e?: RunEvent;
}

/** A room entry on the wire: whole, or, when too large, the run and id to read it by. */
interface RoomEnvelope {
  o: string;
  entry?: RoomEntry;
  r?: string;
  id?: number;
}

/** A notification's payload as the envelope a Weft process sent; undefined for one that is not JSON (not ours). */
function envelopeOf<T extends { o: string }>(payload: string): T | undefined {
  try {
    return JSON.parse(payload) as T;
  } catch {
    return undefined;
  }
}

/** Live events across processes through PostgreSQL LISTEN/NOTIFY. */
export interface PgRelay {
  /** The live path for this process's worker: its own bus, and every other process through NOTIFY. */
  live: LivePath;
  close(): Promise<void>;
}

/**
 * Connects `bus` to the other Weft processes on the same PostgreSQL database: events published here are
 * NOTIFYed (small payloads; an event too large becomes a hint to fetch), and events NOTIFYed elsewhere are
 * published on `bus`. Ordering and exactly-once delivery are the run hubs' job (seq), so the relay may
 * deliver late, twice or not at all without clients noticing.
 */
export async function startPgRelay(databaseUrl: string, bus: EventBus, rooms?: Rooms): Promise<PgRelay> {
  const origin = randomUUID();
  // NOTIFY and LISTEN need no types: without fetching them, a connection that drops as it opens fails only the
  // NOTIFY it was opened for (the driver leaves a failed type fetch unhandled, which would end the process).
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {}, fetch_types: false });
  // The relay hears nothing while its connection is down; when it listens again, followers check what they missed.
  let listening = false;
  const subscription = await sql.listen(eventsChannel, (payload) => {
    const envelope = envelopeOf<Envelope>(payload);
    if (!envelope || envelope.o === origin || typeof envelope.r !== 'string') return;
    if (envelope.e) bus.publish(envelope.r, envelope.e);
    else bus.hint(envelope.r);
  }, () => {
    if (listening) bus.hintAll();
  });
  const roomSubscription = rooms && (await sql.listen(roomsChannel, (payload) => {
    const envelope = envelopeOf<RoomEnvelope>(payload);
    if (!envelope || envelope.o === origin) return;
    try {
      if (envelope.entry) rooms.deliver(envelope.entry);
      // An entry too large to relay comes as its id; the room's record has it.
      else if (typeof envelope.r === 'string' && Number.isSafeInteger(envelope.id)) rooms.deliverStored(envelope.r, envelope.id!).catch(() => {});
    } catch {
      // A member's failure is its own; the relay keeps listening.
    }
  }, () => {
    if (listening) rooms.catchUp().catch(() => {});
  }));
  listening = true;
  let closed = false;
  let relayOfRooms: Rooms['relay'];
  if (rooms) {
    rooms.relay = relayOfRooms = {
      publishRoom(entry) {
        let payload = JSON.stringify({ o: origin, entry } satisfies RoomEnvelope);
        if (Buffer.byteLength(payload) > maxPayloadBytes) payload = JSON.stringify({ o: origin, r: entry.runId, id: entry.id } satisfies RoomEnvelope);
        // Tried again for a few seconds: no other process would learn of the entry until its members read the record.
        void retriedWrite(async () => {
          // A closed relay sends nothing more, and its tries end.
          if (!closed) await sql.notify(roomsChannel, payload);
        }, roomNotifyRetryDelaysMs, () => {});
      },
    };
  }
  const notify = (runId: string, event: RunEvent) => {
    let payload = JSON.stringify({ o: origin, r: runId, e: event } satisfies Envelope);
    if (Buffer.byteLength(payload) > maxPayloadBytes) payload = JSON.stringify({ o: origin, r: runId } satisfies Envelope);
    sql.notify(eventsChannel, payload).catch(() => {
      // Lost notifications are repaired by the followers' idle checks.
    });
  };
  return {
    live: {
      publish(runId, event) {
        bus.publish(runId, event);
        notify(runId, event);
      },
    },
    async close() {
      closed = true;
      if (rooms && rooms.relay === relayOfRooms) rooms.relay = undefined;
      await subscription.unlisten();
      await roomSubscription?.unlisten();
      await sql.end({ timeout: 5 });
    },
  };
}
