/**
 * A JavaScript string can hold half of a surrogate pair (text cut inside an emoji, a JSON answer's `"\ud83d"`).
 * `JSON.stringify` writes such a half, and only such a half, as an escape (`\ud83d`); PostgreSQL refuses it
 * wherever it reads the JSON's strings (a `jsonb` column, `json_to_recordset`). The pattern finds those escapes,
 * but not a backslash that is itself escaped (`\\ud83d` is the text `\ud83d`).
 */
const halfSurrogateEscape = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * The JSON text of a value as PostgreSQL takes it: `JSON.stringify`'s, but for half of a surrogate pair, which
 * becomes U+FFFD, the character that stands for what cannot be read (as `URL` and `TextEncoder` make it).
 * Otherwise a value holding one could never be written: a node's output would fail its run's close in the index
 * on every try.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\ud') ? text.replace(halfSurrogateEscape, '$1\\ufffd') : text;
}
