/** Display helpers shared by the views. */

/** A time of day with seconds, in the reader's locale. */
export function clock(iso: string | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString(undefined, { hour12: false });
}

/** A date and time, short. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium', hour12: false });
}

/** How long from `start` to `end` (or now), as `850 ms`, `12.4 s`, `3 m 05 s`, `2 h 10 m`. */
export function duration(start: string | undefined, end?: string | null): string {
  if (!start) return '—';
  const ms = (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

function json(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? 'undefined';
  } catch {
    return '(not printable)';
  }
}

/** A value as indented JSON for a `<pre>`. */
export function pretty(value: unknown): string {
  return value === undefined ? '—' : json(value, 2);
}

/** A one-line preview of a value, at most `max` characters. */
export function preview(value: unknown, max = 80): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : json(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The short form of a run id for headings and tables. A child run's id is its top-level run's with a suffix
 * (`.<node>.<attempt>`, a map item's index): the suffix stays, as it is what tells a parent's children apart.
 */
export function shortId(id: string): string {
  const dot = id.indexOf('.');
  const root = dot < 0 ? id : id.slice(0, dot);
  const short = root.length > 12 ? root.slice(0, 8) : root;
  if (dot < 0) return short;
  const suffix = id.slice(dot + 1);
  // Past 40 characters, the start of the suffix goes too: the node and attempt at its end say the most.
  return `${short}…${suffix.length > 40 ? suffix.slice(-40) : suffix}`;
}

/** A byte count, short: `512 B`, `12.3 KB`, `4.1 MB`. */
export function bytes(count: number): string {
  if (count < 1024) return `${Math.round(count)} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
  return `${(count / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * What a running node last reported, short enough for its box: a percent or a message when the node gives one,
 * else what an `http` node reports while it waits for its answer (bytes received and time so far).
 */
export function progressText(progress: unknown): string {
  if (typeof progress === 'number') return `${Math.round(progress)}%`;
  const p = progress as { percent?: unknown; message?: unknown; receivedBytes?: unknown; elapsedMs?: unknown } | undefined;
  if (typeof p?.percent === 'number') return `${Math.round(p.percent)}%`;
  if (typeof p?.message === 'string') return preview(p.message, 18);
  const parts: string[] = [];
  if (typeof p?.receivedBytes === 'number' && p.receivedBytes > 0) parts.push(bytes(p.receivedBytes));
  if (typeof p?.elapsedMs === 'number') parts.push(p.elapsedMs < 1000 ? `${Math.round(p.elapsedMs)} ms` : `${(p.elapsedMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}
