import { isNode, LineCounter, parseDocument } from 'yaml';

/** A problem in a template, located by path and, when it came from text, by line and column (1-based). */
export interface TemplateProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Maps a value's path back to where it stands in the source text. */
export type Locator = (path: ReadonlyArray<string | number>) => { line: number; column: number } | undefined;

/** The outcome of reading template text. */
export interface ParsedSource {
  value: unknown;
  errors: TemplateProblem[];
  locate: Locator;
}

/** Formats a path the way people read it: `nodes[2].config.url`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(root)';
}

/** Upper bounds that keep hostile input harmless. */
export const sourceLimits = { maxBytes: 1_000_000, maxAliasCount: 100, maxErrors: 50 } as const;

/**
 * Reads a template written as YAML or JSON (JSON is read as the YAML subset it is), keeping positions so that
 * later problems can be located.
 */
export function parseTemplateSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const noLocation: Locator = () => undefined;
  if (Buffer.byteLength(text, 'utf8') > sourceLimits.maxBytes) {
    return { value: undefined, locate: noLocation, errors: [{ path: '(root)', message: `the template is larger than ${sourceLimits.maxBytes} bytes` }] };
  }
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  // The yaml parser catches its own stack overflow on absurd nesting and reports it once per level.
  if (doc.errors.some((e) => e.message.includes('Maximum call stack'))) {
    return { value: undefined, locate: noLocation, errors: [{ path: '(root)', message: 'the template nests too deeply' }] };
  }
  const errors: TemplateProblem[] = doc.errors.slice(0, sourceLimits.maxErrors).map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { path: '(root)', message: e.message.split('\n')[0] ?? e.message, line: pos.line, column: pos.col };
  });
  const locate: Locator = (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return undefined;
  };
  if (errors.length > 0) return { value: undefined, errors, locate };
  try {
    return { value: doc.toJS({ maxAliasCount: sourceLimits.maxAliasCount }), errors, locate };
  } catch (err) {
    return { value: undefined, errors: [{ path: '(root)', message: (err as Error).message }], locate };
  }
}
