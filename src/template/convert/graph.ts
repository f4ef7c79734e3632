import type { PathProblem } from '../problems.js';
import { asRecord, canonicalType, passThroughNodeFields, templateFields, unknownTypeMessage, type Conversion } from './shared.js';

/**
 * Converts the `nodes` + `edges` shape (as n8n and Dify draw workflows). The mapping, documented in
 * docs/templates.md ("Older shapes"):
 *
 * - `start` nodes and `end` nodes disappear with their edges; an `end` node's `output` becomes the template's.
 * - An edge `{source, target}` between ordinary nodes makes `target` need `source`.
 * - A `condition` node (alias `if`, `if-else`) disappears. Its expression `E` guards its branches: the targets of
 *   its `true_edge` get `when: $truthy(E)`, those of its `false_edge` get `when: $not($truthy(E))`, so that
 *   exactly one branch runs whatever `E` gives (JSONata's own `$not` takes an empty list for false, where `when`
 *   takes it for true); the targets also need whatever the condition needed. Guards of chained conditions are joined with `and`; a node reached from several
 *   branches runs when any of them routes to it (`or`). A skipped node skips its descendants by the join rules.
 * - A node's config is its `config`, else `parameters` (n8n), else `data` (Dify).
 */

type Path = Array<string | number>;
const maxGuardLength = 10_000;
const structural = ['start', 'end', 'condition'];
const conditionTypes = ['condition', 'if', 'if-else'];
/** Drawing state that editors keep on nodes; it means nothing to a run. */
const layoutFields = ['position', 'typeVersion', 'width', 'height', 'selected', 'positionAbsolute', 'dragging', 'sourcePosition', 'targetPosition', 'notes'];

interface Entry { needs: Set<string>; guard?: string }
interface Read { id: string; kind: string; raw: Record<string, unknown>; body: Record<string, unknown> | undefined; at: Path }

const and = (a: string | undefined, b: string): string => (a === undefined ? b : `(${a}) and (${b})`);
const or = (guards: string[]): string => (guards.length === 1 ? guards[0]! : guards.map((g) => `(${g})`).join(' or '));
/** An edge's end as a node id: a string, or a number as editors may write one; anything else is not an id. */
const idOf = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
const unwrap = (text: string): string => text.trim().replace(/^\{\{([\s\S]*)\}\}$/, '$1').trim();

function readNodes(nodes: unknown[], problems: PathProblem[]): Map<string, Read> {
  const byId = new Map<string, Read>();
  nodes.forEach((raw, i) => {
    const node = asRecord(raw);
    const at: Path = ['nodes', i];
    if (!node || typeof node.id !== 'string') return problems.push({ path: at, message: 'a node needs a string id' });
    if (typeof node.type !== 'string') return problems.push({ path: [...at, 'type'], message: 'a node needs a type' });
    const kind = conditionTypes.includes(node.type) ? 'condition' : structural.includes(node.type) ? node.type : canonicalType(node.type);
    if (kind === undefined) return problems.push({ path: [...at, 'type'], message: unknownTypeMessage('node', node.type, structural) });
    if (byId.has(node.id)) return problems.push({ path: [...at, 'id'], message: `duplicate node id "${node.id}"` });
    byId.set(node.id, { id: node.id, kind, raw: node, body: asRecord(node.config ?? node.parameters ?? node.data), at });
  });
  return byId;
}

function branchOf(edge: Record<string, unknown>, condition: Read): boolean | undefined {
  const names = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  const matches = (value: unknown): boolean => names(value).some((name) => name !== undefined && (name === edge.id || name === edge.target));
  if (matches(condition.raw.true_edge) || edge.sourceHandle === 'true') return true;
  if (matches(condition.raw.false_edge) || edge.sourceHandle === 'false') return false;
  return undefined;
}

/** Converts the `nodes` + `edges` shape; see the module comment for the mapping. */
export function convertGraph(value: Record<string, unknown>, rawNodes: unknown[], rawEdges: unknown[]): Conversion {
  const problems: PathProblem[] = [];
  const byId = readNodes(rawNodes, problems);
  const incoming = new Map<string, Array<{ source: Read; branch?: boolean }>>();
  rawEdges.forEach((raw, j) => {
    const edge = asRecord(raw);
    if (!edge) return problems.push({ path: ['edges', j], message: 'an edge must be an object {source, target}' });
    const [sourceId, targetId] = [idOf(edge.source), idOf(edge.target)];
    if (sourceId === undefined) return problems.push({ path: ['edges', j, 'source'], message: 'must be a node id' });
    if (targetId === undefined) return problems.push({ path: ['edges', j, 'target'], message: 'must be a node id' });
    const source = byId.get(sourceId);
    const target = byId.get(targetId);
    if (!source) return problems.push({ path: ['edges', j, 'source'], message: `"${sourceId}" is not a node` });
    if (!target) return problems.push({ path: ['edges', j, 'target'], message: `"${targetId}" is not a node` });
    if (source.kind === 'end') return problems.push({ path: ['edges', j], message: `an end node ("${source.id}") cannot lead anywhere` });
    if (target.kind === 'start') return problems.push({ path: ['edges', j], message: `nothing can lead to a start node ("${target.id}")` });
    const branch = source.kind === 'condition' ? branchOf(edge, source) : undefined;
    if (source.kind === 'condition' && branch === undefined) {
      return problems.push({ path: ['edges', j], message: `an edge leaving condition "${source.id}" must be its true_edge or false_edge` });
    }
    incoming.set(target.id, [...(incoming.get(target.id) ?? []), { source, branch }]);
  });

  const entries = new Map<string, Entry | 'visiting'>();
  /** What reaching `node` requires: the ordinary nodes it waits for, and the branch guard that routes to it. */
  const entryOf = (node: Read): Entry => {
    const known = entries.get(node.id);
    if (known === 'visiting') {
      problems.push({ path: node.at, message: `condition "${node.id}" is part of a cycle` });
      return { needs: new Set() };
    }
    if (known) return known;
    entries.set(node.id, 'visiting');
    const needs = new Set<string>();
    const guards: string[] = [];
    for (const { source, branch } of incoming.get(node.id) ?? []) {
      if (source.kind === 'start') continue;
      if (source.kind !== 'condition') {
        needs.add(source.id);
        continue;
      }
      const upstream = entryOf(source);
      upstream.needs.forEach((id) => needs.add(id));
      const raw = source.raw.condition ?? source.body?.condition;
      if (typeof raw !== 'string' || raw.trim() === '') {
        problems.push({ path: [...source.at, 'condition'], message: `condition "${source.id}" needs a condition expression` });
        continue;
      }
      const expression = unwrap(raw);
      guards.push(and(upstream.guard, branch ? `$truthy(${expression})` : `$not($truthy(${expression}))`));
    }
    let guard = guards.length > 0 ? or(guards) : undefined;
    // Branches that merge and split again double the guard each time; stop before that gets out of hand.
    if (guard !== undefined && guard.length > maxGuardLength) {
      problems.push({ path: node.at, message: `the branch conditions leading to "${node.id}" are too complex (over ${maxGuardLength} characters)` });
      guard = 'false';
    }
    const entry: Entry = { needs, guard };
    entries.set(node.id, entry);
    return entry;
  };

  const nodes: Array<Record<string, unknown>> = [];
  const origins: Path[] = [];
  let output: unknown = value.output;
  for (const node of byId.values()) {
    if (node.kind === 'end') {
      const endOutput = node.raw.output ?? node.body?.output;
      if (endOutput !== undefined && output !== undefined) problems.push({ path: node.at, message: 'the output is given twice (by the template and by an end node)' });
      else if (endOutput !== undefined) output = endOutput;
      continue;
    }
    if (node.kind === 'start' || node.kind === 'condition') continue;
    const entry = entryOf(node);
    const own = typeof node.raw.when === 'string' ? unwrap(node.raw.when) : undefined;
    // Joined by `and`, the node's own `when` is read as `when` reads it alone.
    const guard = entry.guard === undefined ? own : own === undefined ? entry.guard : and(`$truthy(${own})`, entry.guard);
    const canonical: Record<string, unknown> = { id: node.id, type: node.kind };
    for (const key of passThroughNodeFields) if (node.raw[key] !== undefined) canonical[key] = node.raw[key];
    if (entry.needs.size > 0) canonical.needs = [...entry.needs];
    if (guard !== undefined) canonical.when = `{{ ${guard} }}`;
    canonical.config = node.body ?? {};
    const consumed = ['id', 'type', 'config', 'parameters', 'data', 'when', 'condition', 'true_edge', 'false_edge', ...passThroughNodeFields, ...layoutFields];
    for (const [key, field] of Object.entries(node.raw)) if (!consumed.includes(key)) canonical[key] = field;
    nodes.push(canonical);
    origins.push(node.at);
  }
  if (problems.length > 0) return { problems };
  const template = templateFields(value, ['nodes', 'edges', 'output']);
  return { value: { ...template, nodes, ...(output === undefined ? {} : { output }) }, origins };
}
