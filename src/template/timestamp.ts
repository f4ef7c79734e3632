// A date, a time to the minute at least, and a zone: `Z` or an offset.
export const isoTimestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch of an ISO 8601 timestamp with a zone (`2025-01-31T09:00:00Z`,
 * `2025-01-31T10:00+01:00`), or `undefined` when the text is not one. A zone is required: JavaScript reads a
 * date and time without one in the local time zone of whatever process reads it, so two workers could wait for
 * different moments.
 *
 * @example parseTimestamp('2025-01-31T09:00:00Z') // 1738314000000
 */
export function parseTimestamp(text: string): number | undefined {
  if (!isoTimestampPattern.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
