/**
 * What PostgreSQL refuses wherever it reads a JSON value's strings (a `jsonb` column, `json_to_recordset`), as
 * `JSON.stringify` writes it: U+0000 (`\u0000`), and half of a surrogate pair (text cut inside an emoji, a JSON
 * answer's `"\ud83d"`), which it writes as an escape and only then. A backslash that is itself escaped
 * (`\\ud83d`, the text `\ud83d`) is not one.
 */
const refusedEscape = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * The JSON text of a value as PostgreSQL takes it: `JSON.stringify`'s, but for U+0000 and half of a surrogate
 * pair, which become U+FFFD, the character that stands for what cannot be read (as `URL` and `TextEncoder` make a
 * half). Otherwise a value holding one could never be written: a node's output would fail its run's close in
 * the index on every try.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u') ? text.replace(refusedEscape, '$1\\ufffd') : text;
}
