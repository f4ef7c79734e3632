import { customType } from 'drizzle-orm/pg-core';
import { jsonText } from './json-text.js';

/**
 * `json` and `jsonb` columns whose values read back as they were written. Both drivers (PGlite and `postgres`)
 * parse these types themselves, and drizzle's own `json()` and `jsonb()` parse a string they are handed once more:
 * a stored string that reads as JSON (`"42"`, `"true"`) came back as a number or a boolean.
 */
function jsonColumnType(dataType: 'json' | 'jsonb') {
  return customType<{ data: unknown; driverData: unknown }>({
    dataType: () => dataType,
    // `json` keeps the text as it comes, so only `jsonb` needs what it cannot read replaced (see `jsonText`).
    toDriver: (value) => (dataType === 'jsonb' ? jsonText(value) : JSON.stringify(value)),
    fromDriver: (value) => value,
  });
}

/** A `json` column: the text is kept as written, for values written and read back whole. */
export const json = jsonColumnType('json');

/** A `jsonb` column: parsed on write, for values queried inside or compared. */
export const jsonb = jsonColumnType('jsonb');
