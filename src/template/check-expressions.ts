import { ExpressionError } from './expressions.js';
import type { LooseNode } from './loose.js';
import { closestKey } from './key-hints.js';
import { isSingleExpression } from './node-types/fields.js';
import { nodeType } from './node-types/index.js';
import type { PathProblem } from './problems.js';
import { expressionSites, scopeReferences, type ScopeReference } from './references.js';
import { forbiddenKeys } from './safety.js';

type Path = Array<string | number>;

/** What an expression may read where it stands. */
interface Rules {
  /** The node whose config or `when` holds it; references must be upstream of it. Unset for `output`. */
  node?: string;
  /** `item` and `index`: only in the per-item parts of a `map`. */
  item: boolean;
  /** `secrets`: only where an activity resolves them, so they never enter workflow history. */
  secrets: boolean;
}

/** What the checks know about the template as a whole. */
interface Context {
  ids: ReadonlySet<string>;
  upstream: ReadonlyMap<string, ReadonlySet<string>>;
}

const scopeNames = ['input', 'nodes', 'run', 'item', 'index', 'secrets'];
const runFields = ['id', 'templateId', 'version', 'startedAt'];
const nodeFields = ['output', 'status', 'error'];
/** JSONata's parser recurses once per bracket; this keeps a hostile expression from exhausting the stack. */
const maxBracketDepth = 64;

function bracketDepth(source: string): number {
  let depth = 0;
  let max = 0;
  for (const ch of source) {
    if (ch === '(' || ch === '[' || ch === '{') max = Math.max(max, ++depth);
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  return max;
}

function checkReference(ref: ScopeReference, rules: Rules, context: Context): string | undefined {
  const bad = [ref.root, ...ref.rest].find((name) => forbiddenKeys.has(name));
  if (bad) return `"${bad}" cannot be read in an expression`;
  if (!scopeNames.includes(ref.root)) {
    // A name close to one in scope was most likely meant (`inputs`, `node`); any other, a field of the input.
    const meant = closestKey(ref.root, scopeNames);
    return `"${ref.root}" is not in scope (use ${scopeNames.join(', ')}); ${meant ? `did you mean ${meant}?` : `to read a field of the input write input.${ref.root}`}`;
  }
  if ((ref.root === 'item' || ref.root === 'index') && !rules.item) return `"${ref.root}" is only defined inside a map node's per-item node or input`;
  if (ref.root === 'secrets' && !rules.secrets) return 'secrets can only be read in the config of an activity node (http), never in workflow nodes, when or output';
  // What the workflow evaluates is the secret's marker: a function of it would be sent in the secret's place.
  if (ref.root === 'secrets' && !ref.passesThrough) return 'a secret can only be placed as it is (alone, in text, or in a list or object built here): it is resolved only as the request is made, so a function, operator or step applied to it would work on a placeholder, not on the secret';
  if (ref.root === 'run' && ref.rest[0] !== undefined && !runFields.includes(ref.rest[0])) return `run has no field "${ref.rest[0]}" (use ${runFields.join(', ')})`;
  if (ref.root !== 'nodes') return undefined;
  const [id, field] = ref.rest;
  if (id === undefined) return undefined;
  if (!context.ids.has(id)) {
    const hyphenated = [...context.ids].find((known) => known.startsWith(`${id}-`));
    const hint = hyphenated ? `; an id with a hyphen must be quoted in backticks: nodes.\`${hyphenated}\`` : '';
    return `"${id}" is not a node of this template${hint}`;
  }
  if (field !== undefined && !nodeFields.includes(field)) return `nodes.${id} has no field "${field}" (use ${nodeFields.map((f) => `nodes.${id}.${f}`).join(', ')})`;
  if (rules.node === undefined) return undefined;
  if (id === rules.node) return `node "${id}" cannot read its own result`;
  if (!context.upstream.get(rules.node)?.has(id)) return `node "${id}" is not upstream of "${rules.node}": add it to needs (directly or through a node it needs)`;
  return undefined;
}

function checkSites(value: unknown, at: Path, rules: Rules, context: Context, skip: Path[] = []): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const site of expressionSites(value, at)) {
    if (skip.some((prefix) => prefix.every((key, i) => site.path[i] === key))) continue;
    if (site.source === null) {
      problems.push({ path: site.path, message: '"{{" is never closed with "}}"' });
      continue;
    }
    if (bracketDepth(site.source) > maxBracketDepth) {
      problems.push({ path: site.path, message: `{{ }} nests brackets deeper than ${maxBracketDepth} levels` });
      continue;
    }
    try {
      for (const ref of scopeReferences(site.source)) {
        const message = checkReference(ref, rules, context);
        if (message) problems.push({ path: site.path, message: `{{ ${site.source} }}: ${message}` });
      }
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      const where = err.position === undefined ? '' : ` (at character ${err.position})`;
      problems.push({ path: site.path, message: `{{ ${site.source} }} is not a valid expression: ${err.message}${where}` });
    }
  }
  return problems;
}

/**
 * Checks a node type's config: per-item keys allow `item`, and nested nodes follow their own type's rules.
 * `parsed` says whether the config passed its schema; only then are nested nodes known for sure.
 */
function checkConfigSites(type: string | undefined, config: unknown, at: Path, rules: Rules, context: Context, parsed: boolean): PathProblem[] {
  const definition = type === undefined ? undefined : nodeType(type);
  // When the config is malformed its nested nodes are unknown; allow secrets rather than report falsely.
  const own: Rules = { ...rules, secrets: definition?.runsAs === 'activity' || !parsed };
  const inner = parsed ? (definition?.innerNodes?.(config) ?? []) : [];
  const perItem = definition?.perItem ?? [];
  const innerPaths = inner.map((n) => [...at, ...n.path, 'config']);
  const itemPaths = perItem.map((key) => [...at, key]);
  const problems = checkSites(config, at, own, context, [...innerPaths, ...itemPaths]);
  for (const key of perItem) {
    if (inner.some((n) => n.path[0] === key)) continue;
    const value = config !== null && typeof config === 'object' ? (config as Record<string, unknown>)[key] : undefined;
    problems.push(...checkSites(value, [...at, key], { ...own, item: true }, context));
  }
  for (const n of inner) {
    const item = rules.item || perItem.includes(String(n.path[0]));
    problems.push(...checkConfigSites(n.node.type, n.node.config, [...at, ...n.path, 'config'], { ...rules, item }, context, parsed));
  }
  return problems;
}

/**
 * Checks every `{{ }}` in the nodes' config and `when` and in the template's `output`: syntax, names in scope,
 * and references to nodes that exist and (for nodes) are upstream.
 */
export function checkExpressions(
  nodes: readonly LooseNode[],
  output: unknown,
  upstream: ReadonlyMap<string, ReadonlySet<string>>,
  parsedConfigs: ReadonlyMap<number, unknown>,
): PathProblem[] {
  const context: Context = { ids: new Set(nodes.flatMap((n) => (n.id === undefined ? [] : [n.id]))), upstream };
  const problems: PathProblem[] = [];
  for (const node of nodes) {
    const rules: Rules = { node: node.id, item: false, secrets: false };
    const at: Path = ['nodes', node.index];
    if (typeof node.when === 'string') {
      if (!isSingleExpression(node.when)) problems.push({ path: [...at, 'when'], message: 'when must be one {{ }} expression, e.g. "{{ nodes.check.output.ok }}"' });
      else problems.push(...checkSites(node.when, [...at, 'when'], rules, context));
    }
    const parsed = parsedConfigs.has(node.index);
    const config = parsed ? parsedConfigs.get(node.index) : node.config;
    problems.push(...checkConfigSites(node.type, config, [...at, 'config'], rules, context, parsed));
  }
  problems.push(...checkSites(output, ['output'], { item: false, secrets: false }, context));
  return problems;
}
