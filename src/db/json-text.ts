/**
 * What PostgreSQL refuses wherever it reads a JSON value's strings (a `jsonb` column, `json_to_recordset`; a
 * `json` column keeps the text as it is), as `JSON.stringify` writes it: U+0000 (`\u0000`), and half of a
 * surrogate pair (text cut inside an emoji, a JSON answer's `"\ud83d"`), which it writes as an escape and only
 * then. A backslash that is itself escaped (`\\ud83d`, the text `\ud83d`) is not one.
 */
const refusedEscape = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * The JSON text of a value as PostgreSQL reads it: `JSON.stringify`'s, but for U+0000 and half of a surrogate
 * pair, which become U+FFFD, the character that stands for what cannot be read (as `URL` and `TextEncoder` make a
 * half). Otherwise a value holding one could never be written where PostgreSQL reads it: a node's output in an
 * event would fail its run's close in the index on every try. Undefined for `undefined`, as `JSON.stringify`.
 */
export function jsonText(value: unknown): string | undefined {
  const text = JSON.stringify(value) as string | undefined;
  return text?.includes('\\u') ? text.replace(refusedEscape, '$1\\ufffd') : text;
}
