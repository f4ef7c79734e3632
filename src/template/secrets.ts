import { expressionSites, scopeReferences } from './references.js';

/**
 * Secrets never enter workflow history. Inside the workflow, `secrets.<name>` evaluates to a marker bound to
 * the workflow execution (`nonce`: its Temporal run id, which no upstream service sees), so the activity's
 * input carries markers, not values. The activity swaps markers for values just before the work and takes
 * the values out of what it returns. A marker with another nonce (text an upstream echoed from elsewhere) is
 * never resolved.
 */
// Private-use characters delimit markers: they do not occur in ordinary text.
const markerPattern = /\uE000weft-secret:([^:\uE001]+):([A-Za-z0-9_-]+)\uE001/g;

/** The marker `secrets.<name>` evaluates to inside a workflow execution. */
export function secretMarker(nonce: string, name: string): string {
  return `\uE000weft-secret:${nonce}:${name}\uE001`;
}

/** The secret names a value's expressions read (`{{ secrets.token }}` → `token`). */
export function secretNames(value: unknown): string[] {
  const names = new Set<string>();
  for (const site of stringsMentioning(value, 'secrets').flatMap((text) => expressionSites(text))) {
    // Parsing is the costly part (workflows do this for every run); a reference to the scope names it.
    if (site.source === null || !site.source.includes('secrets')) continue;
    try {
      for (const ref of scopeReferences(site.source)) if (ref.root === 'secrets' && ref.rest[0]) names.add(ref.rest[0]);
    } catch {
      // An expression that does not parse was refused at upload; nothing to find here.
    }
  }
  return [...names];
}

/**
 * The strings anywhere in a JSON value that contain `word`. Workflows ask for every run, and most templates read
 * no secret: this finds that without listing every expression with its path.
 */
function stringsMentioning(value: unknown, word: string, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes(word)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) stringsMentioning(item, word, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) stringsMentioning(item, word, found);
  }
  return found;
}

/** The `secrets` scope of a workflow execution: each name the template reads, as its marker. */
export function secretsScope(nonce: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, secretMarker(nonce, name)]));
}

/** Raised when a template reads a secret nobody set. */
export class SecretMissingError extends Error {
  override readonly name = 'SecretMissingError';
}

/** Replaces this execution's markers in every string of `value` with the secrets' values. */
export function resolveSecretMarkers(value: unknown, nonce: string, lookup: (name: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    if (!value.includes('\uE000weft-secret:')) return value;
    return value.replace(markerPattern, (marker, markerNonce: string, name: string) => {
      if (markerNonce !== nonce) return marker;
      const secret = lookup(name);
      if (secret === undefined) throw new SecretMissingError(`secret "${name}" is not set (set WEFT_SECRET_${name} where the worker runs)`);
      return secret;
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveSecretMarkers(item, nonce, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecretMarkers(v, nonce, lookup)]));
  }
  return value;
}

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const upperUnicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
const jsonText = (text: string) => JSON.stringify(text).slice(1, -1);

/**
 * The ways services JSON-escape text they quote inside a string: JavaScript's (`\"`, `\\`); Go's (also `<`, `>`
 * and `&` as `\u003c`…); PHP's (also `/` as `\/`, and what is not ASCII as `\uXXXX`, as Python's does too);
 * with the quote as `\u0022`; and .NET's (the quote, `'`, `<`, `>`, `&` and `+` as `\u0022`, `\u003C`…).
 */
const jsonEscapers: ReadonlyArray<(text: string) => string> = [
  jsonText,
  (text) => jsonText(text).replace(/[<>&\u2028\u2029]/g, unicodeEscape),
  (text) => jsonText(text).replace(/\//g, '\\/'),
  (text) => jsonText(text).replace(/[^ -~]/g, unicodeEscape),
  (text) => jsonText(text).replace(/[^ -~]/g, unicodeEscape).replace(/\//g, '\\/'),
  (text) => jsonText(text).replace(/\\"/g, '\\u0022'),
  (text) => jsonText(text).replace(/\\"/g, '\\u0022').replace(/['<>&+]/g, upperUnicodeEscape),
];

/** `text` with the characters `pattern` finds as HTML writes them, each by `entity`. */
const htmlWith = (pattern: RegExp, entity: (c: string) => string) => (text: string) => text.replace(pattern, entity);
const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The ways HTML quotes text (an error page): with named entities (`&#39;` for `'`), in text only (quotes left as
 * they are), with decimal or hexadecimal references (either case), and as Go's (`&#34;`) and Python's (`&#x27;`)
 * escapers mix them.
 */
const htmlEscapers: ReadonlyArray<(text: string) => string> = [
  htmlWith(/[&<>"']/g, (c) => named[c]!),
  htmlWith(/[&<>]/g, (c) => named[c]!),
  htmlWith(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  htmlWith(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
  htmlWith(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
  htmlWith(/[&<>"']/g, (c) => (c === '"' ? '&#34;' : named[c]!)),
  htmlWith(/[&<>"']/g, (c) => (c === "'" ? '&#x27;' : named[c]!)),
];

/**
 * A secret as it is written out: as it is, and as a URL carries it, which is how a service quoting the URL it was
 * called with gives it back: `encodeURIComponent`'s percent-encoding (as `query` sends it), a form's (`+` for a
 * space), and a URL's own (a secret written into the `url`, where most characters stay as they are), with the
 * hex digits in either case; then each as a service quoting what it was sent writes it: JSON-escaped (a JSON body
 * quoted in a string), HTML-escaped (an error page), or both ({@link jsonEscapers}, {@link htmlEscapers}). Forms
 * shorter than 4 characters are left alone, as short secrets are.
 */
function writtenForms(secret: string): string[] {
  const forms = [secret, new URLSearchParams({ s: secret }).toString().slice(2)];
  try {
    forms.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate has no percent-encoding of its own.
  }
  // After `#` a URL's query ends.
  if (!secret.includes('#')) forms.push(new URL(`http://127.0.0.1/?${secret}`).search.slice(1));
  for (const form of [...forms]) forms.push(form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  for (const form of [...new Set(forms)]) {
    const quoted = [form, ...jsonEscapers.map((escape) => escape(form))];
    forms.push(...quoted, ...quoted.flatMap((text) => htmlEscapers.map((escape) => escape(text))));
  }
  return [...new Set(forms)].filter((form) => form.length >= 4);
}

/** What a secret is replaced by. */
export const redactedMark = '[secret]';

/**
 * {@link writtenForms} by secret: a node's output, error message and details are each redacted of the same few
 * secrets (the worker's `WEFT_SECRET_*` values), and their forms take a while to make.
 */
const formsBySecret = new Map<string, string[]>();

/** Every written form of the secrets long enough to redact, longest first (see {@link redactSecrets}). */
export function formsToRedact(secrets: readonly string[]): string[] {
  const forms = secrets.filter((s) => s.length >= 4).flatMap((secret) => {
    let known = formsBySecret.get(secret);
    if (!known) formsBySecret.set(secret, (known = writtenForms(secret)));
    return known;
  });
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * `value` with every occurrence of the given secret values, in any of their written forms ({@link writtenForms}),
 * replaced by `[secret]`, in keys as in values (a service may echo a query back as an object). Longer forms go
 * first, so that a secret inside another's encoding, or inside a longer secret, does not leave the rest of it
 * behind.
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  const used = formsToRedact(secrets);
  if (used.length === 0) return value;
  const text = (t: string) => used.reduce((out, secret) => out.split(secret).join(redactedMark), t);
  const redact = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(redact);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), redact(x)]));
    return v;
  };
  return redact(value);
}
