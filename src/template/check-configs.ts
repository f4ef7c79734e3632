import type { z } from 'zod';
import { checkJsonSchema } from './json-schema-check.js';
import { closestKey, knownKeysAt, unknownKeysMessage } from './key-hints.js';
import type { LooseNode } from './loose.js';
import { notPerItemTypes } from './map-inner.js';
import { templateNodeSchema } from './model.js';
import { nodeType, nodeTypes } from './node-types/index.js';
import type { PathProblem } from './problems.js';

type Path = Array<string | number>;

/**
 * Zod issues as path problems below `at`. With the `schema` that was parsed, an unknown key's problem names the
 * key likely meant; `misplaced` says where keys that belong beside the value go, when written inside it.
 */
export function zodProblems(issues: readonly z.core.$ZodIssue[], at: Path, schema?: z.ZodType, misplaced?: { keys: readonly string[]; where: string }): PathProblem[] {
  return issues.map((issue) => {
    let message = issue.message;
    // zod's word for a key an object requires and did not get (a node without `config`).
    if (issue.code === 'invalid_type' && issue.expected === 'nonoptional') message = 'required';
    if (issue.code === 'unrecognized_keys' && schema) {
      message = unknownKeysMessage(issue.keys, knownKeysAt(schema, issue.path), issue.path.length === 0 ? misplaced : undefined) ?? message;
    }
    return { path: [...at, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')], message };
  });
}

/** A node's own fields, which a config may not hold: written there, they are usually meant beside it. */
const nodeFields = { keys: Object.keys(templateNodeSchema.shape).filter((k) => k !== 'config'), where: 'is a field of the node: put it beside "config", not inside it' };

/**
 * Checks one config against its node type, then the nodes and JSON Schemas nested in it. Returns the parsed
 * config (defaults applied) when it passes.
 */
function checkConfig(type: string, config: unknown, at: Path, typeAt: Path, problems: PathProblem[]): { value: unknown } | undefined {
  const definition = nodeType(type);
  if (!definition) {
    const meant = closestKey(type, Object.keys(nodeTypes));
    problems.push({ path: typeAt, message: `unknown node type "${type}"${meant ? `: did you mean "${meant}"?` : ''} (known: ${Object.keys(nodeTypes).join(', ')})` });
    return undefined;
  }
  const parsed = definition.config.safeParse(config ?? {});
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error.issues, at, definition.config, nodeFields));
    return undefined;
  }
  let ok = true;
  for (const inner of definition.innerNodes?.(parsed.data) ?? []) {
    const innerAt = [...at, ...inner.path];
    if (notPerItemTypes.has(inner.node.type)) {
      problems.push({ path: [...innerAt, 'type'], message: `a map cannot run "${inner.node.type}" nodes per item: give the map a template to run per item instead` });
      ok = false;
      continue;
    }
    const result = checkConfig(inner.node.type, inner.node.config, [...innerAt, 'config'], [...innerAt, 'type'], problems);
    if (result) inner.node.config = result.value;
    else ok = false;
  }
  for (const embedded of definition.embeddedSchemas?.(parsed.data) ?? []) {
    const found = checkJsonSchema(embedded.schema, [...at, ...embedded.path]);
    problems.push(...found);
    ok &&= found.length === 0;
  }
  return ok ? { value: parsed.data } : undefined;
}

/**
 * Checks every node's config against its node type. Returns the problems and, for nodes that passed, the
 * parsed configs by node index.
 */
export function checkConfigs(nodes: readonly LooseNode[]): { problems: PathProblem[]; configs: Map<number, unknown> } {
  const problems: PathProblem[] = [];
  const configs = new Map<number, unknown>();
  for (const node of nodes) {
    if (node.type === undefined) continue;
    const result = checkConfig(node.type, node.config, ['nodes', node.index, 'config'], ['nodes', node.index, 'type'], problems);
    if (result) configs.set(node.index, result.value);
  }
  return { problems, configs };
}
