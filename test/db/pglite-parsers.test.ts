import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAsDrizzleOnce } from '../../src/db/pglite-parsers.js';

/** One of every type drizzle names, and others beside them, as a row and as arrays. */
const everyType = sql`select
  timestamp '2026-01-02 03:04:05.678' as ts, timestamptz '2026-01-02 03:04:05.678+02' as tstz, interval '1 day 2 hours' as iv,
  date '2026-01-02' as d, array[1.5, 2.25]::numeric[] as nums, array[timestamp '2026-01-02 03:04:05']::timestamp[] as tss,
  array[timestamptz '2026-01-02 03:04:05+00']::timestamptz[] as tstzs, array[interval '1 hour']::interval[] as ivs,
  array[date '2026-01-02']::date[] as ds, 12.5::numeric as num, 42::int8 as big, '{"a":[1]}'::json as j,
  array[1, 2]::int4[] as ints, true as yes, 'text' as t, null::timestamptz as none`;

describe('PGlite parsing as drizzle asks, once', () => {
  let plain: PGlite;
  let once: PGlite;
  beforeAll(async () => {
    plain = new PGlite();
    once = await parseAsDrizzleOnce(new PGlite());
  });
  afterAll(async () => {
    await plain?.close();
    await once?.close();
  });

  it('parses every result as drizzle with its per-query parsers does, through queries and transactions', async () => {
    const expected = await drizzle(plain).execute(everyType);
    expect(expected.rows[0]).toMatchObject({ ts: '2026-01-02 03:04:05.678', d: '2026-01-02', num: '12.5', ints: [1, 2], j: { a: [1] } });
    const db = drizzle(once);
    expect((await db.execute(everyType)).rows).toEqual(expected.rows);
    expect((await db.transaction((tx) => tx.execute(everyType))).rows).toEqual(expected.rows);
  });

  it('holds drizzle\'s parsers itself and sends each query without any, so PGlite merges none', async () => {
    const plainResult = await plain.query<{ x: unknown }>('select 1::int4 as x', [], { parsers: { 23: () => 'merged' } });
    expect(plainResult.rows[0]?.x).toBe('merged');
    // The client's own parsers answer: the one given with the query is never merged in.
    const onceResult = await once.query<{ x: unknown }>('select 1::int4 as x', [], { parsers: { 23: () => 'merged' } });
    expect(onceResult.rows[0]?.x).toBe(1);
    expect((await once.query<{ at: unknown }>("select timestamptz '2026-01-02 03:04:05+00' as at")).rows[0]?.at).toBe('2026-01-02 03:04:05+00');
  });
});
