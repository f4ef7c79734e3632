import type { TemplateNode } from '../../template/model.js';
import { h, type Child } from './dom.js';
import { pretty } from './format.js';

/** A labelled block of JSON. */
export function jsonBlock(title: string, value: unknown, attrs: Record<string, string> = {}): HTMLElement {
  return h('div', { class: 'json-block', ...attrs }, h('h4', {}, title), h('pre', { tabindex: '0' }, pretty(value)));
}

/** A definition list from label/value pairs, leaving out empty values. */
export function facts(pairs: Array<[string, Child]>): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** What the template says about a node: its wiring, policies and config (its input, before expressions). */
export function nodeDefinition(node: TemplateNode): HTMLElement {
  return h('div', { class: 'node-definition' },
    facts([
      ['Needs', node.needs?.length ? node.needs.join(', ') : 'nothing (starts first)'],
      ['When', node.when ? h('code', {}, node.when) : undefined],
      ['On error', node.onError],
      ['Timeout', node.timeout],
      ['Retry', node.retry ? h('code', {}, JSON.stringify(node.retry)) : undefined],
    ]),
    node.description && h('p', { class: 'muted' }, node.description),
    jsonBlock('Config', node.config, { 'data-section': 'config' }));
}
