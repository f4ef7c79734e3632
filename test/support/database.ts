import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';

/** The database kinds Weft supports; DB tests run against each. */
export const databaseKinds = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

/** True when this machine can run the PostgreSQL variant. */
export const hasPostgres = (): boolean => inject('postgresUrl') !== '';

/**
 * A fresh, migrated database of the given kind: in-memory PGlite, or a new database on the test PostgreSQL
 * server (dropped again by `close`).
 */
/** A test database; `url` is set for PostgreSQL. */
export type TestDatabase = Database & { url?: string };

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') return openDatabase({ dataDir: null });
  const adminUrl = inject('postgresUrl');
  const name = `weft_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
