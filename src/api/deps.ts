import type { Database } from '../db/client.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { RunHubs } from '../realtime/run-hub.js';
import type { Rooms } from '../realtime/rooms/rooms.js';
import type { TemporalHandle } from '../temporal/connection.js';

/** What the API is built from. */
export interface AppDeps {
  db: Database;
  temporal: TemporalHandle;
  bus: EventBus;
  /** Shared with the WebSocket bridge, so both follow each run once per process. */
  hubs: RunHubs;
  /** Run rooms; their record is served over HTTP, and they are joined over the WebSocket. */
  rooms: Rooms;
}
