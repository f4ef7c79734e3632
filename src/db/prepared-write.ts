import { PGlite, protocol } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type { Db } from './client.js';

/** A write the database parses and plans once per connection, then only binds and executes. */
export interface PreparedWrite {
  /** The statement's name on the connection. */
  readonly name: string;
  /** SQL with `$1`, `$2`… for its parameters, cast where their type is not plain from the statement. */
  readonly text: string;
}

/** Parameters as Postgres reads them in text format. */
export type WriteParams = readonly (string | null)[];

/** The PGlite clients each statement has been parsed on. */
const preparedOn = new WeakMap<PGlite, Set<string>>();

/**
 * Runs a {@link PreparedWrite} with `params`. For a write on every run's path (the close's, which holds the
 * run's last workflow task) parsing and planning are most of its time: drizzle's PGlite driver parses, describes
 * and plans each query anew, in five exchanges with the embedded server. Here PGlite gets one exchange (bind,
 * execute, sync) after the first; `postgres` prepares named statements of its own.
 */
export async function executePrepared(db: Db, statement: PreparedWrite, params: WriteParams): Promise<void> {
  // drizzle's public handle on the driver's client.
  const client = (db as unknown as { $client: PGlite | Sql }).$client;
  if (client instanceof PGlite) await executeOnPglite(client, statement, params);
  else await client.unsafe(statement.text, [...params], { prepare: true });
}

async function executeOnPglite(client: PGlite, statement: PreparedWrite, params: WriteParams): Promise<void> {
  const { serialize } = protocol;
  // Both of PGlite's locks, as its own queries take them: a transaction another caller holds open must not
  // take this write in.
  await client._runExclusiveTransaction(() => client._runExclusiveQuery(async () => {
    let prepared = preparedOn.get(client);
    if (!prepared?.has(statement.name)) {
      await client.execProtocol(concat(serialize.parse({ name: statement.name, text: statement.text, types: [] }), serialize.sync()));
      if (!prepared) preparedOn.set(client, (prepared = new Set()));
      prepared.add(statement.name);
    }
    // An error ends the exchange at the sync, and execProtocol throws it as a query would.
    await client.execProtocol(concat(serialize.bind({ statement: statement.name, values: [...params] }), serialize.execute({}), serialize.sync()));
  }));
}

function concat(...messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const message of messages) {
    out.set(message, at);
    at += message.length;
  }
  return out;
}
