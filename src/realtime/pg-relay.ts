import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
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

interface Envelope {
  /** The sending process, so a process ignores its own notifications. */
  o: string;
  r: string;
  e?: RunEvent;
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
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const subscription = await sql.listen(eventsChannel, (payload) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.o === origin || typeof envelope.r !== 'string') return;
    if (envelope.e) bus.publish(envelope.r, envelope.e);
    else bus.hint(envelope.r);
  });
  const roomSubscription = rooms && (await sql.listen(roomsChannel, (payload) => {
    try {
      const { o, entry } = JSON.parse(payload) as { o: string; entry?: RoomEntry };
      // Entries too large to relay arrive without a body; the room's record has them.
      if (o !== origin && entry) rooms.deliver(entry);
    } catch {
      // Not one of ours.
    }
  }));
  if (rooms) {
    rooms.relay = {
      publishRoom(entry) {
        const payload = JSON.stringify({ o: origin, entry });
        if (Buffer.byteLength(payload) <= maxPayloadBytes) sql.notify(roomsChannel, payload).catch(() => {});
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
      await subscription.unlisten();
      await roomSubscription?.unlisten();
      await sql.end({ timeout: 5 });
    },
  };
}
