/**
 * Broken templates, each with the problems it must be rejected with. Texts built by `doc()` put `nodes[i]` on
 * line 4 + i, so locations are easy to check by eye.
 */
export interface ExpectedProblem {
  path: string;
  line?: number;
  column?: number;
  message?: RegExp;
}

export interface InvalidCase {
  name: string;
  text: string;
  errors: ExpectedProblem[];
}

/** A template whose nodes are the given flow-style lines; nodes[i] stands on line 4 + i. */
export function doc(...nodes: string[]): string {
  return `id: t\nname: T\nnodes:\n${nodes.map((n) => `  - ${n}`).join('\n')}\n`;
}

const a = '{ id: a, type: transform, config: { value: 1 } }';

export const syntaxCases: InvalidCase[] = [
  { name: 'unclosed flow mapping', text: 'id: t\nname: T\nnodes: [ { id: a\n', errors: [{ path: '(root)', line: 4 }] },
  { name: 'bad indentation', text: 'id: t\nname: T\n  nodes: []\n', errors: [{ path: '(root)', line: 2 }] },
  { name: 'duplicate key', text: 'id: t\nid: u\nname: T\nnodes: []\n', errors: [{ path: '(root)', line: 2, message: /unique/i }] },
  { name: 'JSON with a stray comma', text: '{"id": "t",, "name": "T"}', errors: [{ path: '(root)', line: 1 }] },
  { name: 'two documents', text: 'id: t\n---\nid: u\n', errors: [{ path: '(root)', line: 2 }] },
  { name: 'tab indentation', text: 'id: t\nname: T\nnodes:\n\t- id: a\n', errors: [{ path: '(root)', line: 4 }] },
];

export const schemaCases: InvalidCase[] = [
  { name: 'empty text', text: '', errors: [{ path: '(root)' }] },
  { name: 'a list, not a template', text: '- id: t\n', errors: [{ path: '(root)', line: 1 }] },
  { name: 'missing name', text: `id: t\nnodes:\n  - ${a}\n`, errors: [{ path: 'name', line: 1 }] },
  { name: 'template id with spaces', text: doc(a).replace('id: t', 'id: Order Digest'), errors: [{ path: 'id', line: 1, column: 5, message: /lower-case/ }] },
  { name: 'no nodes', text: 'id: t\nname: T\nnodes: []\n', errors: [{ path: 'nodes', line: 3 }] },
  { name: 'unknown top-level key', text: `${doc(a)}nodez: []\n`, errors: [{ path: '(root)', message: /nodez/ }] },
  { name: 'node without id', text: doc('{ type: transform, config: { value: 1 } }'), errors: [{ path: 'nodes[0].id', line: 4 }] },
  { name: 'node id in capitals', text: doc('{ id: Fetch, type: transform, config: { value: 1 } }'), errors: [{ path: 'nodes[0].id', line: 4, message: /lower-case/ }] },
  { name: 'unknown node key', text: doc('{ id: a, type: transform, depends_on: [b], config: { value: 1 } }'), errors: [{ path: 'nodes[0]', line: 4, message: /depends_on/ }] },
  { name: 'needs not a list', text: doc(a, '{ id: b, type: transform, needs: a, config: { value: 1 } }'), errors: [{ path: 'nodes[1].needs', line: 5 }] },
  { name: 'bad onError', text: doc('{ id: a, type: transform, onError: retry, config: { value: 1 } }'), errors: [{ path: 'nodes[0].onError', line: 4 }] },
  { name: 'timeout in words', text: doc('{ id: a, type: transform, timeout: 10 seconds, config: { value: 1 } }'), errors: [{ path: 'nodes[0].timeout', line: 4, message: /duration/ }] },
  { name: 'zero attempts', text: doc('{ id: a, type: transform, retry: { maxAttempts: 0 }, config: { value: 1 } }'), errors: [{ path: 'nodes[0].retry.maxAttempts', line: 4 }] },
  { name: 'unknown retry key', text: doc('{ id: a, type: transform, retry: { attempts: 3 }, config: { value: 1 } }'), errors: [{ path: 'nodes[0].retry', line: 4, message: /attempts/ }] },
  { name: 'misspelt retry key', text: doc('{ id: a, type: http, retry: { maxAttempt: 3 }, config: { url: "http://127.0.0.1/" } }'), errors: [{ path: 'nodes[0].retry', line: 4, message: /unknown key "maxAttempt": did you mean "maxAttempts"\?/ }] },
  { name: 'misspelt node key', text: doc('{ id: a, type: transform, onErorr: continue, config: { value: 1 } }'), errors: [{ path: 'nodes[0]', line: 4, message: /unknown key "onErorr": did you mean "onError"\?/ }] },
  { name: 'bad default timeout', text: `${doc(a)}defaults: { timeout: soon }\n`, errors: [{ path: 'defaults.timeout', line: 5 }] },
  { name: 'maxParallel zero', text: `${doc(a)}maxParallel: 0\n`, errors: [{ path: 'maxParallel', line: 5 }] },
  { name: 'name too long', text: doc(a).replace('name: T', `name: ${'x'.repeat(201)}`), errors: [{ path: 'name', line: 2 }] },
  { name: 'when not a string', text: doc('{ id: a, type: transform, when: true, config: { value: 1 } }'), errors: [{ path: 'nodes[0].when', line: 4 }] },
  { name: 'inputSchema a string', text: `${doc(a)}inputSchema: object\n`, errors: [{ path: 'inputSchema', line: 5 }] },
  { name: 'too many nodes', text: doc(...Array.from({ length: 501 }, (_, i) => `{ id: n${i}, type: transform, config: { value: ${i} } }`)), errors: [{ path: 'nodes', line: 4 }] },
];

export const configCases: InvalidCase[] = [
  { name: 'unknown node type', text: doc('{ id: a, type: emial, config: {} }'), errors: [{ path: 'nodes[0].type', line: 4, message: /unknown node type "emial".*http/ }] },
  { name: 'misspelt node type', text: doc('{ id: a, type: htp, config: {} }'), errors: [{ path: 'nodes[0].type', line: 4, message: /unknown node type "htp": did you mean "http"\?/ }] },
  { name: 'http without url', text: doc('{ id: a, type: http, config: { method: GET } }'), errors: [{ path: 'nodes[0].config.url', line: 4 }] },
  { name: 'http url that is not a URL', text: doc('{ id: a, type: http, config: { url: "orders/42" } }'), errors: [{ path: 'nodes[0].config.url', line: 4, message: /http:\/\/ or https:\/\/ URL/ }] },
  { name: 'http url of another scheme', text: doc('{ id: a, type: http, config: { url: "ftp://127.0.0.1/x" } }'), errors: [{ path: 'nodes[0].config.url', line: 4, message: /http:\/\/ or https:\/\/ URL/ }] },
  { name: 'http method FETCH', text: doc('{ id: a, type: http, config: { method: FETCH, url: "http://127.0.0.1/" } }'), errors: [{ path: 'nodes[0].config.method', line: 4, column: 44, message: /GET, POST/ }] },
  { name: 'http unknown config key', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", verb: GET } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /verb/ }] },
  { name: 'node field inside a config', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", retry: { maxAttempts: 2 } } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /"retry" is a field of the node: put it beside "config", not inside it/ }] },
  { name: 'approval form key cut short', text: doc('{ id: a, type: approval, config: { prompt: ok?, form: { type: object } } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /unknown key "form": did you mean "formSchema"\?/ }] },
  { name: 'http header not a string', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", headers: { x-n: 1 } } }'), errors: [{ path: 'nodes[0].config.headers.x-n', line: 4 }] },
  { name: 'http body encoding unknown', text: doc('{ id: a, type: http, config: { method: PUT, url: "http://127.0.0.1/", body: aGk=, bodyEncoding: hex } }'), errors: [{ path: 'nodes[0].config.bodyEncoding', line: 4, message: /"base64"/ }] },
  { name: 'http base64 body not base64', text: doc('{ id: a, type: http, config: { method: PUT, url: "http://127.0.0.1/", body: "hi there", bodyEncoding: base64 } }'), errors: [{ path: 'nodes[0].config.body', line: 4, message: /is not base64/ }] },
  { name: 'http base64 body unpadded', text: doc('{ id: a, type: http, config: { method: PUT, url: "http://127.0.0.1/", body: aGk, bodyEncoding: base64 } }'), errors: [{ path: 'nodes[0].config.body', line: 4, message: /is not base64/ }] },
  { name: 'http base64 body not a string', text: doc('{ id: a, type: http, config: { method: PUT, url: "http://127.0.0.1/", body: { a: 1 }, bodyEncoding: base64 } }'), errors: [{ path: 'nodes[0].config.body', line: 4, message: /must be a string of base64/ }] },
  { name: 'transform without value', text: doc('{ id: a, type: transform, config: {} }'), errors: [{ path: 'nodes[0].config.value', line: 4 }] },
  { name: 'delay with duration and until', text: doc('{ id: a, type: delay, config: { duration: 1s, until: "2030-01-01T00:00:00Z" } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /exactly one/ }] },
  { name: 'delay with neither', text: doc('{ id: a, type: delay, config: {} }'), errors: [{ path: 'nodes[0].config', line: 4, message: /exactly one/ }] },
  { name: 'delay in words', text: doc('{ id: a, type: delay, config: { duration: 5 minutes } }'), errors: [{ path: 'nodes[0].config.duration', line: 4 }] },
  { name: 'delay until tomorrow', text: doc('{ id: a, type: delay, config: { until: tomorrow } }'), errors: [{ path: 'nodes[0].config.until', line: 4, message: /ISO/ }] },
  { name: 'delay until without zone', text: doc('{ id: a, type: delay, config: { until: "2030-01-01T00:00:00" } }'), errors: [{ path: 'nodes[0].config.until', line: 4 }] },
  { name: 'delay until an impossible date', text: doc('{ id: a, type: delay, config: { until: "2030-13-45T00:00:00Z" } }'), errors: [{ path: 'nodes[0].config.until', line: 4 }] },
  { name: 'approval without prompt', text: doc('{ id: a, type: approval, config: { assignees: [bob] } }'), errors: [{ path: 'nodes[0].config.prompt', line: 4 }] },
  { name: 'approval onTimeout without timeout', text: doc('{ id: a, type: approval, config: { prompt: ok?, onTimeout: approve } }'), errors: [{ path: 'nodes[0].config.onTimeout', line: 4, message: /needs a timeout/ }] },
  { name: 'approval onTimeout ignore', text: doc('{ id: a, type: approval, config: { prompt: ok?, timeout: 1h, onTimeout: ignore } }'), errors: [{ path: 'nodes[0].config.onTimeout', line: 4 }] },
  { name: 'approval formSchema with a bad type', text: doc('{ id: a, type: approval, config: { prompt: ok?, formSchema: { type: objekt } } }'), errors: [{ path: 'nodes[0].config.formSchema.type', line: 4, message: /JSON Schema/ }] },
  { name: 'approval formSchema with a typo', text: doc('{ id: a, type: approval, config: { prompt: ok?, formSchema: { type: object, requird: [x] } } }'), errors: [{ path: 'nodes[0].config.formSchema', line: 4, message: /requird/ }] },
  { name: 'approval formSchema with a dangling $ref', text: doc('{ id: a, type: approval, config: { prompt: ok?, formSchema: { $ref: "#/$defs/nope" } } }'), errors: [{ path: 'nodes[0].config.formSchema', line: 4, message: /reference/ }] },
  { name: 'approval assignees a number', text: doc('{ id: a, type: approval, config: { prompt: ok?, assignees: 3 } }'), errors: [{ path: 'nodes[0].config.assignees', line: 4 }] },
  { name: 'map with neither node nor template', text: doc('{ id: a, type: map, config: { items: [1] } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /exactly one of node or template/ }] },
  { name: 'map with node and template', text: doc('{ id: a, type: map, config: { items: [1], template: x, node: { type: transform, config: { value: 1 } } } }'), errors: [{ path: 'nodes[0].config', line: 4, message: /exactly one/ }] },
  { name: 'map items a plain string', text: doc('{ id: a, type: map, config: { items: abc, template: x } }'), errors: [{ path: 'nodes[0].config.items', line: 4, message: /list/ }] },
  { name: 'map inner node of unknown type', text: doc('{ id: a, type: map, config: { items: [1], node: { type: shell, config: {} } } }'), errors: [{ path: 'nodes[0].config.node.type', line: 4, message: /shell/ }] },
  { name: 'map inner approval (a map runs a template per item for one)', text: doc('{ id: a, type: map, config: { items: [1], node: { type: approval, config: { prompt: ok } } } }'), errors: [{ path: 'nodes[0].config.node.type', line: 4, message: /cannot run "approval" nodes per item/ }] },
  { name: 'map inner map', text: doc('{ id: a, type: map, config: { items: [1], node: { type: map, config: { items: [1], node: { type: transform, config: { value: 1 } } } } } }'), errors: [{ path: 'nodes[0].config.node.type', line: 4, message: /cannot run "map" nodes per item/ }] },
  { name: 'a host header, which fetch would drop', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", headers: { Host: example.com } } }'), errors: [{ path: 'nodes[0].config.headers', line: 4, message: /cannot set host/ }] },
  { name: 'a node without config', text: doc('{ id: a, type: transform }'), errors: [{ path: 'nodes[0].config', line: 4, message: /^required$/ }, { path: 'nodes[0].config.value', line: 4 }] },
  { name: 'a request timeout longer than the default node timeout, which ends each attempt first', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", timeout: 30m } }'), errors: [{ path: 'nodes[0].config.timeout', line: 4, message: /longer than the node's timeout \(5m, the default\).*at least 30m/ }] },
  { name: 'a per-item request timeout longer than its map\'s timeout', text: doc('{ id: a, type: map, timeout: 10s, config: { items: [1], node: { type: http, config: { url: "http://127.0.0.1/", timeout: 1m } } } }'), errors: [{ path: 'nodes[0].config.node.config.timeout', line: 4, message: /\(10s, its own\).*set the map's timeout/ }] },
  { name: 'a retry whose initialInterval passes the default maxInterval', text: doc('{ id: a, type: http, retry: { initialInterval: 2m }, config: { url: "http://127.0.0.1/" } }'), errors: [{ path: 'nodes[0].retry.initialInterval', line: 4, message: /maxInterval \(1m\) is shorter than initialInterval \(2m\)/ }] },
  { name: 'durations past 100 years (no date holds their end)', text: doc('{ id: a, type: delay, timeout: 36526d, config: { duration: 99999999d } }'), errors: [{ path: 'nodes[0].timeout', line: 4, message: /at most 100 years/ }, { path: 'nodes[0].config.duration', line: 4, message: /at most 100 years/ }] },
  { name: 'an http request timeout past what a timer can wait', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", timeout: 30d } }'), errors: [{ path: 'nodes[0].config.timeout', line: 4, message: /at most 24d/ }] },
  { name: 'a timeout of zero (an activity without a timeout cannot be scheduled)', text: doc('{ id: a, type: http, timeout: 0s, config: { url: "http://127.0.0.1/", timeout: 0ms } }'), errors: [{ path: 'nodes[0].timeout', line: 4, message: /longer than 0/ }, { path: 'nodes[0].config.timeout', line: 4, message: /longer than 0/ }] },
  { name: 'http maxResponseBytes past 256 MiB (a body that large fits in no string)', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", maxResponseBytes: 1073741824 } }'), errors: [{ path: 'nodes[0].config.maxResponseBytes', line: 4 }] },
  { name: 'map inner http without url', text: doc('{ id: a, type: map, config: { items: [1], node: { type: http, config: { method: GET } } } }'), errors: [{ path: 'nodes[0].config.node.config.url', line: 4 }] },
  { name: 'map concurrency zero', text: doc('{ id: a, type: map, config: { items: [1], concurrency: 0, template: x } }'), errors: [{ path: 'nodes[0].config.concurrency', line: 4 }] },
  { name: 'map version with node', text: doc('{ id: a, type: map, config: { items: [1], version: 2, node: { type: transform, config: { value: 1 } } } }'), errors: [{ path: 'nodes[0].config.version', line: 4 }] },
  { name: 'subworkflow without template', text: doc('{ id: a, type: subworkflow, config: { input: {} } }'), errors: [{ path: 'nodes[0].config.template', line: 4 }] },
  { name: 'subworkflow without input', text: doc('{ id: a, type: subworkflow, config: { template: child } }'), errors: [{ path: 'nodes[0].config.input', line: 4 }] },
  { name: 'subworkflow version zero', text: doc('{ id: a, type: subworkflow, config: { template: child, version: 0, input: {} } }'), errors: [{ path: 'nodes[0].config.version', line: 4 }] },
  { name: 'inputSchema with a bad type', text: `${doc(a)}inputSchema:\n  type: objekt\n`, errors: [{ path: 'inputSchema.type', line: 6 }] },
  { name: 'inputSchema in draft-07', text: `${doc(a)}inputSchema: { $schema: "http://json-schema.org/draft-07/schema#", type: object }\n`, errors: [{ path: 'inputSchema.$schema', line: 5, message: /2020-12/ }] },
  { name: 'formSchema in an unknown dialect', text: `${doc('{ id: b, type: approval, config: { prompt: p, formSchema: { $schema: "https://example.com/mine", type: object } } }')}`, errors: [{ path: 'nodes[0].config.formSchema.$schema', line: 4 }] },
  { name: 'inputSchema with a typo', text: `${doc(a)}inputSchema: { type: object, properties: { x: { typ: string } } }\n`, errors: [{ path: 'inputSchema', line: 5, message: /typ/ }] },
];

export const graphCases: InvalidCase[] = [
  { name: 'duplicate node ids', text: doc(a, a), errors: [{ path: 'nodes[1].id', line: 5, message: /duplicate node id "a"/ }] },
  { name: 'unknown need', text: doc(a, '{ id: b, type: transform, needs: [a, c], config: { value: 1 } }'), errors: [{ path: 'nodes[1].needs[1]', line: 5, message: /"c" is not a node/ }] },
  { name: 'needs itself', text: doc('{ id: a, type: transform, needs: [a], config: { value: 1 } }'), errors: [{ path: 'nodes[0].needs[0]', line: 4, message: /cannot need itself/ }] },
  {
    name: 'three-node cycle',
    text: doc('{ id: a, type: transform, needs: [c], config: { value: 1 } }', '{ id: b, type: transform, needs: [a], config: { value: 1 } }', '{ id: c, type: transform, needs: [b], config: { value: 1 } }'),
    errors: [{ path: 'nodes[0].needs', line: 4, message: /cycle: a → b → c → a/ }],
  },
  { name: 'two-node cycle', text: doc('{ id: a, type: transform, needs: [b], config: { value: 1 } }', '{ id: b, type: transform, needs: [a], config: { value: 1 } }'), errors: [{ path: 'nodes[0].needs', message: /cycle: a → b → a/ }] },
];

export const expressionCases: InvalidCase[] = [
  { name: 'syntax error in config', text: doc('{ id: a, type: transform, config: { value: "{{ $sum( }}" } }'), errors: [{ path: 'nodes[0].config.value', line: 4, message: /not a valid expression/ }] },
  { name: 'unclosed {{', text: doc('{ id: a, type: transform, config: { value: "n={{ 1 + 1" } }'), errors: [{ path: 'nodes[0].config.value', line: 4, message: /never closed/ }] },
  { name: 'empty expression', text: doc('{ id: a, type: transform, config: { value: "{{ }}" } }'), errors: [{ path: 'nodes[0].config.value', line: 4, message: /empty/ }] },
  { name: 'syntax error in when', text: doc(a, '{ id: b, type: transform, needs: [a], when: "{{ nodes.a.output > }}", config: { value: 1 } }'), errors: [{ path: 'nodes[1].when', line: 5, message: /not a valid expression/ }] },
  { name: 'syntax error in output', text: `${doc(a)}output: "{{ nodes.a.output[ }}"\n`, errors: [{ path: 'output', line: 5, message: /not a valid expression/ }] },
  { name: 'when without braces', text: doc(a, '{ id: b, type: transform, needs: [a], when: "nodes.a.output > 1", config: { value: 1 } }'), errors: [{ path: 'nodes[1].when', line: 5, message: /one \{\{ \}\} expression/ }] },
  { name: 'reference to a missing node', text: doc('{ id: a, type: transform, config: { value: "{{ nodes.ghost.output }}" } }'), errors: [{ path: 'nodes[0].config.value', line: 4, message: /"ghost" is not a node/ }] },
  { name: 'reference to a sibling', text: doc(a, '{ id: b, type: transform, config: { value: "{{ nodes.a.output }}" } }'), errors: [{ path: 'nodes[1].config.value', line: 5, message: /"a" is not upstream of "b"/ }] },
  { name: 'reference downstream', text: doc('{ id: a, type: transform, config: { value: "{{ nodes.b.output }}" } }', '{ id: b, type: transform, needs: [a], config: { value: 1 } }'), errors: [{ path: 'nodes[0].config.value', line: 4, message: /not upstream/ }] },
  { name: 'reference to itself', text: doc('{ id: a, type: transform, config: { value: "{{ nodes.a.output }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /own result/ }] },
  { name: 'when reads a sibling', text: doc(a, '{ id: b, type: transform, when: "{{ nodes.a.output }}", config: { value: 1 } }'), errors: [{ path: 'nodes[1].when', line: 5, message: /not upstream/ }] },
  { name: 'output reads a missing node', text: `${doc(a)}output: { x: "{{ nodes.gone.output }}" }\n`, errors: [{ path: 'output.x', line: 5, message: /"gone" is not a node/ }] },
  { name: 'unknown scope name', text: doc('{ id: a, type: transform, config: { value: "{{ inputs.x }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /"inputs" is not in scope .*did you mean input\?/ }] },
  { name: 'a field of the input read without input', text: doc('{ id: a, type: transform, config: { value: "{{ orderId }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /"orderId" is not in scope .*write input\.orderId/ }] },
  { name: 'unknown node field', text: doc(a, '{ id: b, type: transform, needs: [a], config: { value: "{{ nodes.a.outptu }}" } }'), errors: [{ path: 'nodes[1].config.value', message: /no field "outptu"/ }] },
  { name: 'item outside a map', text: doc('{ id: a, type: transform, config: { value: "{{ item.x }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /only defined inside a map/ }] },
  { name: 'item in map items', text: doc('{ id: a, type: map, config: { items: "{{ item }}", template: x } }'), errors: [{ path: 'nodes[0].config.items', message: /only defined inside a map/ }] },
  { name: 'secrets in a transform', text: doc('{ id: a, type: transform, config: { value: "{{ secrets.token }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /secrets can only be read/ }] },
  { name: 'secrets in when', text: doc('{ id: a, type: http, when: "{{ secrets.flag }}", config: { url: "http://127.0.0.1/" } }'), errors: [{ path: 'nodes[0].when', message: /secrets/ }] },
  // A secret is a marker until the request is made: a function of it is a function of the marker.
  { name: 'a function of a secret', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", headers: { authorization: "Basic {{ $base64encode(\'me:\' & secrets.pass) }}" } } }'), errors: [{ path: 'nodes[0].config.headers.authorization', line: 4, message: /a secret can only be placed as it is/ }] },
  { name: 'a function of a secret as a path step', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", headers: { a: "{{ secrets.pass.$uppercase() }}", b: "{{ secrets.pass[$length($) > 3] }}" } } }'), errors: [{ path: 'nodes[0].config.headers.a', message: /placed as it is/ }, { path: 'nodes[0].config.headers.b', message: /placed as it is/ }] },
  { name: 'a secret compared', text: doc('{ id: a, type: http, config: { url: "http://127.0.0.1/", body: { same: "{{ secrets.pass = \'x\' ? 1 : 2 }}" } } }'), errors: [{ path: 'nodes[0].config.body.same', message: /placed as it is/ }] },
  { name: 'secrets in output', text: `${doc(a)}output: "{{ secrets.key }}"\n`, errors: [{ path: 'output', line: 5, message: /secrets/ }] },
  { name: 'unknown run field', text: doc('{ id: a, type: transform, config: { value: "{{ run.startTime }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /run has no field "startTime"/ }] },
  { name: 'hyphenated id without backticks', text: doc('{ id: fetch-order, type: transform, config: { value: 1 } }', '{ id: b, type: transform, needs: [fetch-order], config: { value: "{{ nodes.fetch-order.output }}" } }'), errors: [{ path: 'nodes[1].config.value', line: 5, message: /backticks: nodes.`fetch-order`/ }] },
  { name: '__proto__ read in an expression', text: doc('{ id: a, type: transform, config: { value: "{{ input.__proto__ }}" } }'), errors: [{ path: 'nodes[0].config.value', message: /"__proto__" cannot be read/ }] },
  { name: 'map inner node reads a sibling of the map', text: doc(a, '{ id: m, type: map, config: { items: [1], node: { type: transform, config: { value: "{{ nodes.a.output }}" } } } }'), errors: [{ path: 'nodes[1].config.node.config.value', line: 5, message: /not upstream/ }] },
  { name: 'brackets nested too deep', text: doc(`{ id: a, type: transform, config: { value: "{{ ${'('.repeat(80)}1${')'.repeat(80)} }}" } }`), errors: [{ path: 'nodes[0].config.value', message: /nests brackets/ }] },
];

export const shapeCases: InvalidCase[] = [
  { name: 'step of unknown type', text: 'id: t\nname: T\nsteps:\n  - { type: transform, with: { value: 1 } }\n  - { type: shell, with: { run: ls } }\n', errors: [{ path: 'steps[1].type', line: 5, message: /unknown step type "shell"/ }] },
  { name: 'step without type', text: 'id: t\nname: T\nsteps:\n  - { with: { value: 1 } }\n', errors: [{ path: 'steps[0].type', line: 4 }] },
  { name: 'step depends on an unknown step', text: 'id: t\nname: T\nsteps:\n  - { id: a, type: transform, with: { value: 1 } }\n  - { id: b, type: transform, dependencies: [z], with: { value: 1 } }\n', errors: [{ path: 'nodes[1].needs[0]', line: 5, message: /"z" is not a node/ }] },
  { name: 'graph node of unknown type', text: 'id: t\nname: T\nnodes:\n  - { id: a, type: start }\n  - { id: b, type: n8n-nodes-base.slack }\nedges: [{ source: a, target: b }]\n', errors: [{ path: 'nodes[1].type', line: 5, message: /unknown node type "n8n-nodes-base.slack"/ }] },
  { name: 'edge to a missing node', text: 'id: t\nname: T\nnodes:\n  - { id: a, type: transform, config: { value: 1 } }\nedges:\n  - { source: a, target: b }\n', errors: [{ path: 'edges[0].target', line: 6 }] },
  {
    name: 'edge from a condition that is no branch',
    text: 'id: t\nname: T\nnodes:\n  - { id: c, type: condition, condition: "{{ input.ok }}", true_edge: e1 }\n  - { id: a, type: transform, config: { value: 1 } }\n  - { id: b, type: transform, config: { value: 2 } }\nedges:\n  - { id: e1, source: c, target: a }\n  - { id: e2, source: c, target: b }\n',
    errors: [{ path: 'edges[1]', line: 9, message: /true_edge or false_edge/ }],
  },
  { name: 'condition without expression', text: 'id: t\nname: T\nnodes:\n  - { id: c, type: if, true_edge: a }\n  - { id: a, type: transform, config: { value: 1 } }\nedges:\n  - { source: c, target: a }\n', errors: [{ path: 'nodes[0].condition', line: 4 }] },
  { name: 'edge out of an end node', text: 'id: t\nname: T\nnodes:\n  - { id: e, type: end }\n  - { id: a, type: transform, config: { value: 1 } }\nedges:\n  - { source: e, target: a }\n', errors: [{ path: 'edges[0]', line: 7, message: /end node/ }] },
  { name: 'graph shape with a cycle', text: 'id: t\nname: T\nnodes:\n  - { id: a, type: transform, config: { value: 1 } }\n  - { id: b, type: transform, config: { value: 1 } }\nedges:\n  - { source: a, target: b }\n  - { source: b, target: a }\n', errors: [{ path: 'nodes[0].needs', line: 4, message: /cycle/ }] },
];

export const allCases: InvalidCase[] = [...syntaxCases, ...schemaCases, ...configCases, ...graphCases, ...expressionCases, ...shapeCases];
