import postgres from 'postgres';
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

  it('fails the queries that meet the dropped connection, never the process, and the pool recovers', async () => {
    // Every connection drops, and the one opened next drops at its first query.
    proxy.cut();
    proxy.restore();
    proxy.dropNextQuery();
    await getRun(database.db, 'missing').catch((err: unknown) => err);
    // An unhandled rejection surfaces a turn or two after the connection drops.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(unhandled).toEqual([]);
    // The driver may hand the next query the connection it is still closing; the one after has a new one.
    await getRun(database.db, 'missing').catch((err: unknown) => err);
    expect(await getRun(database.db, 'missing')).toBeUndefined();
  });

  it('survives its connections being ended by the server under load: queries fail, the process does not', async () => {
    const url = new URL(server.url!);
    const name = url.pathname.slice(1);
    const direct = await openDatabase({ databaseUrl: server.url! });
    const killer = postgres(server.url!, { max: 1, onnotice: () => {} });
    try {
      // For two seconds the server ends every connection of the database, every 20 ms, while queries keep
      // opening new ones: some are ended as they open, when the driver reads the server's types.
      const until = Date.now() + 2_000;
      const kill = async () => {
        while (Date.now() < until) {
          await killer`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      let failed = 0;
      const load = async () => {
        for (let n = 0; Date.now() < until; n++) {
          await Promise.all(Array.from({ length: 8 }, (_, i) => getRun(direct.db, `r-${n}-${i}`).catch(() => void failed++)));
        }
      };
      await Promise.all([kill(), load()]);
      // No query waits on a connection that never opens: the driver used to keep a write it had scheduled when a
      // connection closed, so the next start-up message on that connection was never sent, and a query waited
      // for the 30 s connect timeout.
      expect(Date.now() - until).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The kills did reach queries, and none of what failed went unhandled.
      expect(failed).toBeGreaterThan(0);
      expect(unhandled).toEqual([]);
      // The driver may wait before connecting again after so many errors (its backoff), then answers.
      await expect.poll(() => getRun(direct.db, 'missing').then(() => 'answered', () => 'failed'), { timeout: 25_000, interval: 250 }).toBe('answered');
      // Closing waits for no query the dropped connections failed (the driver kept the last one, and waited its
      // 5 s before ending the connection anyway).
      const closing = Date.now();
      await direct.close();
      expect(Date.now() - closing).toBeLessThan(2_000);
    } finally {
      await killer.end({ timeout: 1 });
      await direct.close();
    }
  });
});
