import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { attachBridge, type BridgeDeps } from '../../src/realtime/bridge.js';
import type { World } from './world.js';

/** A world's app on a real HTTP server on 127.0.0.1 with the WebSocket bridge attached, as `npm start` serves it. */
export async function serveWorld(world: World, limits?: BridgeDeps['limits']) {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: world.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const bridge = attachBridge(server, { readers: { db: world.database.db, client: world.temporal.client }, hubs: world.hubs, rooms: world.rooms, limits });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async close() {
      bridge.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
