import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { getRun } from '../../src/db/runs.js';
import { hasPostgres, openTestDatabase, type TestDatabase } from '../support/database.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

describe.skipIf(!hasPostgres())('a PostgreSQL connection that drops as it opens', () => {
  let server: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let database: Database;
  const unhandled: unknown[] = [];
  const note = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    // A database of its own on the test server, reached through a proxy that can drop a connection.
    server = await openTestDatabase('postgres');
    const url = new URL(server.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    database = await openDatabase({ databaseUrl: url.toString() });
    process.on('unhandledRejection', note);
  });
  afterAll(async () => {
    process.off('unhandledRejection', note);
    await database?.close();
    await proxy?.close();
    await server?.close();
  });

  it('fails at most the query it carried, never the process, and the next query works', async () => {
    // Every connection drops, and those opened next drop at their first query.
    proxy.cut();
    proxy.restore();
    proxy.dropNextQuery();
    await getRun(database.db, 'missing').catch((err: unknown) => err);
    // An unhandled rejection surfaces a turn or two after the connection drops.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(unhandled).toEqual([]);
    expect(await getRun(database.db, 'missing')).toBeUndefined();
  });
});
