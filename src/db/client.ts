import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { projectRoot } from '../config.js';
import { parseAsDrizzleOnce } from './pglite-parsers.js';
import * as schema from './schema.js';

/** Weft's database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database with its lifecycle. */
export interface Database {
  db: Db;
  /** `pglite` (embedded, under the data dir) or `postgres` (a server at DATABASE_URL). */
  kind: 'pglite' | 'postgres';
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = path.join(projectRoot, 'drizzle');

/**
 * Opens the database and applies pending migrations: a PostgreSQL server when `databaseUrl` is given,
 * otherwise PGlite persisted in `dataDir/pglite` (or in memory with `dataDir: null`).
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir?: string | null }): Promise<Database> {
  if (options.databaseUrl) {
    // Weft sends no array parameters, so the driver need not fetch array types: it fetches them again on every
    // reconnect, and leaves a fetch that fails (the server ending connections under load) unhandled, which ends
    // the process. The driver itself is patched at install (patches/postgres+*.patch): a connection that closed
    // with a write scheduled never sent its next start-up message, so a query waited out the connect timeout, and
    // closing the pool waited on queries already failed.
    const client = postgres(options.databaseUrl, { max: 10, onnotice: () => {}, fetch_types: false });
    const db = drizzlePostgres(client, { schema });
    await migratePostgres(db, { migrationsFolder });
    return {
      db,
      kind: 'postgres',
      ping: async () => { await db.execute(sql`select 1`); },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let dataPath: string | undefined;
  if (options.dataDir) {
    dataPath = path.join(options.dataDir, 'pglite');
    mkdirSync(dataPath, { recursive: true });
  }
  const client = await parseAsDrizzleOnce(dataPath ? new PGlite(dataPath) : new PGlite());
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db,
    kind: 'pglite',
    ping: async () => { await db.execute(sql`select 1`); },
    close: () => client.close(),
  };
}
