import type jsonata from 'jsonata';
import { compileExpression, hasExpression, splitTemplateString } from './expressions.js';
import type { TemplateNode } from './model.js';

/**
 * What an expression reads from its scope, found by walking JSONata's syntax tree rather than by pattern
 * matching, so that `nodes.a.output` inside a string literal or a filter on another value does not count.
 * Pure: the interpreter may use it too.
 */

/** One name read from the expression scope (`input`, `nodes`, `run`, `secrets`, `item`, `index`, …). */
export interface ScopeReference {
  /** The root name: the first step of a path evaluated against the scope. */
  root: string;
  /** The names that follow it, as far as they are plain names (`nodes.fetch.output` → `['fetch', 'output']`). */
  rest: string[];
  /** Offset in the expression source. */
  position: number;
  /**
   * Whether what is read reaches the expression's value as it is: alone, joined into text (`&`, `$string`,
   * `$join`), as a condition's branch, a block's last expression, or inside an array or object built in place;
   * not through any other function, operator, filter or step. A secret is a marker until an activity resolves
   * it, so one must pass through (see `secrets.ts`).
   */
  passesThrough: boolean;
}

/** JSONata's own typing omits some node kinds (`path`, `apply`, `bind`); the walk treats nodes generically. */
type AstNode = Omit<jsonata.ExprNode, 'type'> & { type: string } & Record<string, unknown>;

function isAstNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

/** Every AST node nested in this one, whatever the property that holds it. */
function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const collect = (value: unknown): void => {
    if (isAstNode(value)) out.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
  };
  for (const [key, value] of Object.entries(node)) if (key !== 'steps' && key !== 'stages' && key !== 'group') collect(value);
  return out;
}

/** Names of the steps after `from`, while they are plain names. */
function namesAfter(steps: AstNode[], from: number): string[] {
  const names: string[] = [];
  for (let i = from; i < steps.length && steps[i]!.type === 'name'; i++) names.push(String(steps[i]!.value));
  return names;
}

/** True when the node is the scope itself: `$$` anywhere, or `$` where the context is the scope. */
function isScope(node: AstNode | undefined, atRoot: boolean): boolean {
  return node?.type === 'variable' && (node.value === '$' || (node.value === '' && atRoot));
}

/** What a walk finds: the names read from the scope, and whether the scope itself is read whole. */
interface Found {
  references: ScopeReference[];
  whole: boolean;
}

/** The name of the function a call calls, when it is one of JSONata's (`$string(…)` → `string`). */
function calledFunction(node: AstNode): string | undefined {
  const procedure = node.procedure as AstNode | undefined;
  return node.type === 'function' && procedure?.type === 'variable' ? String(procedure.value) : undefined;
}

/**
 * Whether `child`'s value reaches `node`'s as it is (see {@link ScopeReference.passesThrough}): joined into text
 * (`&`, `$string`, the list `$join` joins), a branch of a condition, a block's last expression, an item of an
 * array or a value of an object built in place.
 */
function passesOn(node: AstNode, child: AstNode): boolean {
  switch (node.type) {
    case 'binary':
      return node.value === '&';
    case 'condition':
      return child !== node.condition;
    case 'block':
      return Array.isArray(node.expressions) && child === node.expressions.at(-1);
    case 'unary':
      if (node.value === '[') return true;
      // An object's pairs are [key, value]: the values pass, the keys do not.
      return node.value === '{' && Array.isArray(node.lhs) && (node.lhs as unknown[][]).some((pair) => pair[1] === child);
    case 'function': {
      const args = Array.isArray(node.arguments) ? (node.arguments as unknown[]) : [];
      const called = calledFunction(node);
      return child === args[0] && (called === 'join' || (called === 'string' && args.length === 1));
    }
    default:
      return false;
  }
}

/** True when every step of a path from `from` on is a plain name, read as it is: no function, filter or group. */
function plainFrom(steps: AstNode[], from: number): boolean {
  return steps.slice(from).every((step) => step.type === 'name' && step.stages === undefined && step.predicate === undefined && step.group === undefined);
}

/**
 * Walks the tree. `atRoot` says whether the context is the scope itself: true at the top and in anything
 * that keeps the context (operators, function arguments, blocks), false after a path step or in a filter.
 * `through` says whether this node's value reaches the expression's as it is.
 */
function walk(node: AstNode, atRoot: boolean, found: Found, through: boolean): void {
  if (node.type === 'path' && Array.isArray(node.steps)) {
    const steps = node.steps as AstNode[];
    const first = steps[0];
    if (first?.type === 'name' && atRoot) {
      found.references.push({ root: String(first.value), rest: namesAfter(steps, 1), position: first.position ?? 0, passesThrough: through && plainFrom(steps, 0) && node.group === undefined });
    } else if (isScope(first, atRoot)) {
      if (steps[1]?.type === 'name') found.references.push({ root: String(steps[1].value), rest: namesAfter(steps, 2), position: steps[1].position ?? 0, passesThrough: through && plainFrom(steps, 1) && node.group === undefined });
      else found.whole = true;
    }
    steps.forEach((step, i) => {
      for (const child of children(step)) walk(child, atRoot && i === 0, found, false);
      for (const key of ['stages', 'predicate', 'group'] as const) {
        const nested = step[key];
        for (const child of Array.isArray(nested) ? nested : [nested]) if (isAstNode(child)) walk(child, false, found, false);
      }
    });
    if (isAstNode(node.group)) walk(node.group, false, found, false);
    return;
  }
  if (node.type === 'name' && atRoot) {
    found.references.push({ root: String(node.value), rest: [], position: node.position ?? 0, passesThrough: through });
    return;
  }
  if (isScope(node, atRoot)) found.whole = true;
  for (const child of children(node)) walk(child, atRoot, found, through && passesOn(node, child));
  const stages = node.stages ?? node.predicate;
  if (Array.isArray(stages)) for (const stage of stages) if (isAstNode(stage)) walk(stage, false, found, false);
}

/** Walks one expression; throws `ExpressionError` when it does not parse. */
function walkExpression(source: string): Found {
  const found: Found = { references: [], whole: false };
  walk(compileExpression(source).ast() as AstNode, true, found, true);
  return found;
}

/** The scope names one JSONata expression reads; throws `ExpressionError` when it does not parse. */
export function scopeReferences(source: string): ScopeReference[] {
  return walkExpression(source).references;
}

/** One `{{ }}` expression found in a JSON value, with the path of the string that holds it. */
export interface ExpressionSite {
  path: Array<string | number>;
  source: string;
  /** True when the string is this expression and nothing else, so its value is the expression's value as it is. */
  whole: boolean;
}

/** Every `{{ }}` expression in a JSON value; a string with an unclosed `{{` yields a site with source `null`. */
export function expressionSites(value: unknown, path: Array<string | number> = []): Array<ExpressionSite | { path: Array<string | number>; source: null }> {
  if (typeof value === 'string') {
    if (!hasExpression(value)) return [];
    try {
      const segments = splitTemplateString(value);
      return segments.flatMap((s) => (s.kind === 'expr' ? [{ path, source: s.source, whole: segments.length === 1 }] : []));
    } catch {
      return [{ path, source: null }];
    }
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => expressionSites(item, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => expressionSites(item, [...path, key]));
  return [];
}

/** The node id a reference names, when it reads `nodes.<id>`. */
export function referencedNode(reference: ScopeReference): string | undefined {
  return reference.root === 'nodes' ? reference.rest[0] : undefined;
}

/**
 * Ids of the nodes whose results a node reads, in its `config` and `when`, in order of first use. Expressions
 * that do not parse are ignored here (validation reports them).
 */
export function nodeReferences(node: TemplateNode): string[] {
  const ids = new Set<string>();
  for (const site of [...expressionSites(node.config), ...expressionSites(node.when)]) {
    if (site.source === null) continue;
    try {
      for (const reference of scopeReferences(site.source)) {
        const id = referencedNode(reference);
        if (id !== undefined) ids.add(id);
      }
    } catch {
      // A syntax error: validation reports it with its path; here it simply reads nothing.
    }
  }
  return [...ids];
}

/** What the expressions of a value read from the scope: which roots, which nodes, and whether they read more. */
export interface ScopeUse {
  /** The root names read (`input`, `nodes`, `item`, …). */
  roots: Set<string>;
  /** The nodes read by id (`nodes.<id>`). */
  nodes: Set<string>;
  /** True when an expression reads `nodes` as a whole (`$keys(nodes)`), or the scope itself (`$$`). */
  allNodes: boolean;
  /** True when an expression reads the scope itself (`$$`, `$lookup($$, 'input')`): it may read any of it. */
  whole: boolean;
  /** The input's fields read by name (`input.<field>`), or `'whole'` when the input is read otherwise. */
  inputFields: Set<string> | 'whole';
}

/**
 * What the expressions in `value` read from the scope, for a caller that hands on only that much of it (a map's
 * per-item scope). Expressions that do not parse read nothing (validation reports them).
 */
export function scopeUse(value: unknown): ScopeUse {
  const fields = new Set<string>();
  let wholeInput = false;
  const use: ScopeUse = { roots: new Set(), nodes: new Set(), allNodes: false, whole: false, inputFields: fields };
  for (const site of expressionSites(value)) {
    if (site.source === null) continue;
    let found: Found;
    try {
      found = walkExpression(site.source);
    } catch {
      continue;
    }
    if (found.whole) use.whole = use.allNodes = true;
    for (const reference of found.references) {
      use.roots.add(reference.root);
      const id = referencedNode(reference);
      if (id !== undefined) use.nodes.add(id);
      else if (reference.root === 'nodes') use.allNodes = true;
      if (reference.root === 'input') {
        if (reference.rest[0] === undefined) wholeInput = true;
        else fields.add(reference.rest[0]);
      }
    }
  }
  if (wholeInput || use.whole) use.inputFields = 'whole';
  return use;
}

/** True when an expression is nothing but `nodes.<id>.output`: a plain path of names, without filters. */
function isWholeOutput(source: string): boolean {
  const ast = compileExpression(source).ast() as AstNode;
  if (ast.type !== 'path' || !Array.isArray(ast.steps) || ast.steps.length !== 3) return false;
  return (ast.steps as AstNode[]).every((step) => step.type === 'name' && step.stages === undefined && step.predicate === undefined && step.group === undefined);
}

/**
 * True when some reference to `nodes` in an expression of `value` (one that reads `nodes` as a whole, or one of
 * `nodeIds` as `reads` says) is found. Expressions that do not parse read nothing (validation reports them).
 */
function readsNodes(value: unknown, nodeIds: ReadonlySet<string>, reads: (reference: ScopeReference, site: ExpressionSite) => boolean): boolean {
  if (nodeIds.size === 0) return false;
  for (const site of expressionSites(value)) {
    if (site.source === null) continue;
    let references: ScopeReference[];
    try {
      references = scopeReferences(site.source);
    } catch {
      continue;
    }
    for (const reference of references) {
      if (reference.root !== 'nodes') continue;
      const id = reference.rest[0];
      if (id === undefined) return true;
      if (nodeIds.has(id) && reads(reference, site)) return true;
    }
  }
  return false;
}

/**
 * True when an expression in `value` reads inside the output of one of `nodeIds` (a field of it, a function of
 * it, or `nodes` as a whole), rather than handing that output on whole as the entire string
 * (`'{{ nodes.<id>.output }}'`). The interpreter asks this of nodes whose output it holds as a blob reference:
 * handed on whole, the reference is resolved by the activity that reads it; read inside, the expression needs
 * the stored value.
 */
export function readsInsideOutputs(value: unknown, nodeIds: ReadonlySet<string>): boolean {
  return readsNodes(value, nodeIds, readsInsideOutput);
}

/** Whether a reference to a node reads inside its output, rather than beside it or handing it on whole. */
function readsInsideOutput(reference: ScopeReference, site: ExpressionSite): boolean {
  // `nodes.<id>.status` and `.error` are beside the output, not in it.
  if (reference.rest.length >= 2 && reference.rest[1] !== 'output') return false;
  const handedOnWhole = site.whole && reference.rest.length === 2 && isWholeOutput(site.source);
  return !handedOnWhole;
}

/** Whether a reference to a node reads its error (or the node whole). */
function readsError(reference: ScopeReference): boolean {
  return reference.rest.length < 2 || reference.rest[1] === 'error';
}

/**
 * True when an expression in `value` reads the error of one of `nodeIds` (`nodes.<id>.error.details.body`, or
 * `nodes` as a whole). The interpreter asks this of nodes whose error holds a blob reference (an error page too
 * large for history, in its details): the expression needs the stored value, as one reading inside an output does
 * ({@link readsInsideOutputs}).
 */
export function readsErrors(value: unknown, nodeIds: ReadonlySet<string>): boolean {
  return readsNodes(value, nodeIds, readsError);
}

/**
 * True when an expression in `value` reads inside the output or reads the error of one of `nodeIds`, in one walk
 * ({@link readsInsideOutputs}, {@link readsErrors}): what an activity asks of a node whose output or error it must
 * resolve.
 */
export function readsInsideOutputsOrErrors(value: unknown, nodeIds: ReadonlySet<string>): boolean {
  return readsNodes(value, nodeIds, (reference, site) => readsInsideOutput(reference, site) || readsError(reference));
}
