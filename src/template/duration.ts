/** A duration as templates write it: `500ms`, `30s`, `5m`, `2h`, `1d`. */
export type DurationString = `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

/** The pattern a duration string must match. */
export const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The longest duration a template may write: 100 years (36525d). Far longer ones make no moment a date can
 * hold, and past 10,000 years no duration Temporal takes.
 */
export const maxDurationMs = 36_525 * unitMs.d;

/** The longest wait a Node timer takes (about 24.8 days); past it, Node fires after 1 ms. */
export const maxTimerMs = 2_147_483_647;

/** Why a written duration cannot be used (zero where a timeout is meant, past {@link maxDurationMs}), or undefined. */
export function durationBoundProblem(text: string, { zeroAllowed }: { zeroAllowed: boolean }): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return undefined;
  if (ms > maxDurationMs) return 'must be at most 100 years (36525d)';
  if (ms === 0 && !zeroAllowed) return 'must be longer than 0';
  return undefined;
}

/**
 * Milliseconds in a template duration, or `undefined` when the text is not one.
 *
 * @example parseDuration('1.5s') // 1500
 */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]);
}

/** Like {@link parseDuration}, for input that was validated already. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`"${text}" is not a duration (use 500ms, 30s, 5m, 2h or 1d)`);
  return ms;
}
