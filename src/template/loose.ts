import { idPattern } from './model.js';

/**
 * A node as far as it can be read before its shape is known to be right. Graph and expression checks run on
 * these, so that one malformed node does not hide the problems of the others.
 */
export interface LooseNode {
  /** Position in `nodes`, for paths. */
  index: number;
  id?: string;
  type?: string;
  /** The `needs` entries that are well-formed ids (malformed ones are reported by the schema). */
  needs: Array<{ id: string; at: number }>;
  when?: unknown;
  config?: unknown;
}

/** Reads whatever can be read of each entry of a template's `nodes`. */
export function looseNodes(template: unknown): LooseNode[] {
  const nodes = (template as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.map((raw: unknown, index) => {
    const node = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const needs = Array.isArray(node.needs) ? (node.needs as unknown[]) : [];
    return {
      index,
      id: typeof node.id === 'string' ? node.id : undefined,
      type: typeof node.type === 'string' ? node.type : undefined,
      needs: needs.flatMap((id, at) => (typeof id === 'string' && idPattern.test(id) ? [{ id, at }] : [])),
      when: node.when,
      config: node.config,
    };
  });
}
