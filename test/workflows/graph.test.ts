import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, getRunEvents } from '../../src/db/runs.js';
import { freePort } from '../support/ports.js';
import { finish, nodeOf, start, trace } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { InFlight, json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** Bytes that are not UTF-8: a PNG signature and a few more. */
const logo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00, 0xfe]);

describe('the interpreter: graphs, joins, skips, retries and onError', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let elsewhere: Awaited<ReturnType<typeof startUpstream>>;
  let flakyCalls = 0;
  let laterCalls = 0;
  /** Requests to `/held` being answered now, and the most at once. */
  const held = new InFlight();

  beforeAll(async () => {
    // Another origin (another port), for redirects that leave the first.
    elsewhere = await startUpstream({ 'GET /headers': (req, res) => json(res, 200, { key: req.headers['x-api-key'] ?? null, elsewhere: true }) });
    const redirect = (res: ServerResponse, status: number, location: string) => void res.writeHead(status, { location }).end();
    upstream = await startUpstream({
      'GET /hop': (_req, res) => redirect(res, 307, '/headers'),
      'GET /headers': (req, res) => json(res, 200, { key: req.headers['x-api-key'] ?? null }),
      'GET /away': (_req, res) => redirect(res, 307, `${elsewhere.url}/headers`),
      'POST /posted': (_req, res) => redirect(res, 302, '/method'),
      'GET /method': (req, res) => json(res, 200, { method: req.method, body: req.body }),
      'GET /flaky': (_req, res) => (++flakyCalls < 3 ? json(res, 503, { error: 'busy' }) : json(res, 200, { calls: flakyCalls })),
      'GET /bad': (_req, res) => json(res, 400, { error: 'bad request' }),
      'GET /ok': (_req, res) => json(res, 200, { ok: true }),
      'GET /logo': (_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(logo),
      'PUT /upload': (req, res) => json(res, 200, { bytes: req.bytes.length }),
      // 3 MB, said up front, or sent in chunks without a length.
      'GET /deep': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`),
      'GET /shallow': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"a": ${'['.repeat(255)}7${']'.repeat(255)}}`),
      'GET /file': (_req, res) => void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(3_000_000) }).end(Buffer.alloc(3_000_000)),
      'GET /stream': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 30; i++) res.write('s'.repeat(100_000));
        res.end();
      },
      // A 3 MB error page, past what a failure may carry through Temporal.
      'GET /error-page': (_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end(`<p>${'e'.repeat(3_000_000)}</p>`),
      // Holds each request long enough for the others the run has started to arrive.
      'GET /held': (_req, res) => {
        held.enter();
        setTimeout(() => {
          held.leave();
          json(res, 200, { ok: true });
        }, 300);
      },
      // Answers after 3 s, past the node's timeout.
      'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { late: true }), 3_000),
      // A HEAD says the length of a resource it does not send.
      'HEAD /big': (_req, res) => void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(100 * 1024 * 1024) }).end(),
      // JSON after a UTF-8 byte-order mark, as some servers send it.
      'GET /bom': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])),
      'GET /echo': (req, res) => json(res, 200, { path: req.path }),
      'POST /echo': (req, res) => json(res, 200, { method: req.method, body: req.body, headers: req.headers }),
      // Half of an emoji, which JSON can escape and UTF-8 cannot carry, and U+0000.
      'GET /half-emoji': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"\\ud83dx","nul":"a\\u0000b"}'),
      // Two cookies, one with the comma of a date in it, and another header twice.
      'GET /cookies': (_req, res) => void res.writeHead(200, [
        ['set-cookie', 'session=abc; Path=/; HttpOnly'], ['set-cookie', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
        ['x-tag', 'one'], ['x-tag', 'two'], ['content-type', 'text/plain'],
      ].flat()).end('ok'),
      // Text in the charset it names: "café" in Latin-1 is not UTF-8.
      'GET /latin1': (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' }).end(Buffer.from('café', 'latin1')),
      'GET /latin1-json': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json; charset="windows-1252"' }).end(Buffer.from('{"name":"Zoë"}', 'latin1')),
      // JSON is UTF-8, whatever a server labels it.
      'GET /mislabelled-json': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1' }).end(Buffer.from('{"name":"Zoë"}', 'utf8')),
      // A charset nobody knows, over UTF-8 bytes.
      'GET /unknown-charset': (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain; charset=x-made-up' }).end('naïve'),
      // Busy for a day, it says, the first time.
      'GET /later': (_req, res) => (++laterCalls === 1 ? json(res, 503, { error: 'busy' }, { 'retry-after': '86400' }) : json(res, 200, { calls: laterCalls })),
    });
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
    await elsewhere?.close();
  });

  it('runs at most maxParallel nodes at once', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await upload(world, {
      id: 'five-at-two', name: 'Five at two', maxParallel: 2,
      nodes: ids.map((id) => ({ id, type: 'http', config: { method: 'GET', url: `${upstream.url}/held` } })),
    });
    held.peak = 0;
    const { state, events } = await finish(world, await start(world, 'five-at-two'));
    expect(state.status).toBe('completed');
    expect(held.peak).toBe(2);
    // Started in template order as slots free up: the first two at once, then one for each that ends.
    expect(trace(events).filter((e) => e.startsWith('node.started:'))).toEqual(ids.map((id) => `node.started:${id}`));
  });

  it('runs a diamond: both branches after the root, the join after both', async () => {
    await upload(world, {
      id: 'diamond', name: 'Diamond',
      nodes: [
        { id: 'root', type: 'transform', config: { value: '{{ input.n }}' } },
        { id: 'left', type: 'transform', needs: ['root'], config: { value: '{{ nodes.root.output + 1 }}' } },
        { id: 'right', type: 'transform', needs: ['root'], config: { value: '{{ nodes.root.output * 10 }}' } },
        { id: 'join', type: 'transform', needs: ['left', 'right'], config: { value: '{{ nodes.left.output + nodes.right.output }}' } },
      ],
      output: '{{ nodes.join.output }}',
    });
    const runId = await start(world, 'diamond', { n: 2 });
    const { state, events } = await finish(world, runId);
    expect(state.output).toBe(23);
    const order = trace(events);
    expect(order.indexOf('node.completed:join')).toBeGreaterThan(order.indexOf('node.completed:left'));
    expect(order.indexOf('node.completed:join')).toBeGreaterThan(order.indexOf('node.completed:right'));
  });

  it('skips a false branch and what only it leads to, and joins after either branch', async () => {
    await upload(world, {
      id: 'branch', name: 'Branch',
      nodes: [
        { id: 'priority', type: 'transform', config: { value: '{{ input.priority }}' } },
        { id: 'urgent', type: 'transform', needs: ['priority'], when: "{{ nodes.priority.output = 'urgent' }}", config: { value: 'paged' } },
        { id: 'normal', type: 'transform', needs: ['priority'], when: "{{ nodes.priority.output = 'normal' }}", config: { value: 'replied' } },
        { id: 'after-urgent', type: 'transform', needs: ['urgent'], config: { value: 'escalated' } },
        { id: 'record', type: 'transform', needs: ['urgent', 'normal'], config: { value: '{{ nodes.urgent.output ? nodes.urgent.output : nodes.normal.output }}' } },
      ],
      output: '{{ nodes.record.output }}',
    });
    const { state } = await finish(world, await start(world, 'branch', { priority: 'normal' }));
    expect(state.output).toBe('replied');
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['priority', 'completed'], ['urgent', 'skipped'], ['normal', 'completed'], ['after-urgent', 'skipped'], ['record', 'completed'],
    ]);
  });

  it('skips and runs in dependency order whatever the order nodes are listed in', async () => {
    // The dependent comes first: the skip of `gate` (decided at once, in the pass that starts it) must still reach it.
    await upload(world, {
      id: 'listed-backwards', name: 'Listed backwards',
      nodes: [
        { id: 'after', type: 'transform', needs: ['gate'], config: { value: '{{ nodes.gate.output }}' } },
        { id: 'gate', type: 'transform', when: '{{ input.go }}', config: { value: 'open' } },
      ],
      output: '{{ nodes.after.output }}',
    });
    const closed = await finish(world, await start(world, 'listed-backwards', { go: false }));
    expect(closed.state.status).toBe('completed');
    expect(closed.state.nodes.map((n) => [n.id, n.status])).toEqual([['after', 'skipped'], ['gate', 'skipped']]);
    const open = await finish(world, await start(world, 'listed-backwards', { go: true }));
    expect(open.state.output).toBe('open');
    expect(open.state.nodes.map((n) => [n.id, n.status])).toEqual([['after', 'completed'], ['gate', 'completed']]);
  });

  it('retries a flaky service with Temporal retries and counts the attempts', async () => {
    await upload(world, {
      id: 'flaky', name: 'Flaky',
      nodes: [{ id: 'get', type: 'http', retry: { maxAttempts: 5, initialInterval: '50ms' }, config: { url: `${upstream.url}/flaky` } }],
      output: '{{ nodes.get.output.body.calls }}',
    });
    const { state } = await finish(world, await start(world, 'flaky'));
    expect(state.output).toBe(3);
    expect(nodeOf(state, 'get').attempts).toBe(3);
  });

  it('fails the run on a non-retryable failure without retrying, cancelling what had not run', async () => {
    await upload(world, {
      id: 'bad', name: 'Bad',
      nodes: [
        { id: 'get', type: 'http', retry: { maxAttempts: 5, initialInterval: '50ms' }, config: { url: `${upstream.url}/bad` } },
        { id: 'next', type: 'transform', needs: ['get'], config: { value: 1 } },
      ],
    });
    const before = upstream.received.filter((r) => r.path === '/bad').length;
    const { state, events } = await finish(world, await start(world, 'bad'));
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ type: 'NodeFailed', nodeId: 'get' });
    expect(nodeOf(state, 'get')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpClientError' } });
    expect(nodeOf(state, 'next').status).toBe('cancelled');
    expect(upstream.received.filter((r) => r.path === '/bad').length - before).toBe(1);
    expect(trace(events).at(-1)).toBe('run.failed');
  });

  it('fails a request that cannot be made as configured at once, without retrying: a URL, a scheme, a header', async () => {
    await upload(world, {
      id: 'invalid-requests', name: 'Invalid requests', maxParallel: 3,
      nodes: [
        { id: 'url', type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { url: '{{ input.url }}' } },
        { id: 'scheme', type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { url: '{{ "ftp://127.0.0.1/x" }}' } },
        { id: 'header', type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { url: `${upstream.url}/ok`, headers: { 'x-note': 'two\nlines' } } },
      ],
    });
    const before = upstream.received.length;
    const { state } = await finish(world, await start(world, 'invalid-requests', { url: 'orders/42' }));
    expect(state.nodes.map((n) => [n.id, n.status, n.attempts, n.error?.type])).toEqual([
      ['url', 'failed', 1, 'HttpInvalidRequest'], ['scheme', 'failed', 1, 'HttpInvalidRequest'], ['header', 'failed', 1, 'HttpInvalidRequest'],
    ]);
    expect(nodeOf(state, 'url').error?.message).toBe('GET orders/42 cannot be sent: the url is not a URL');
    expect(nodeOf(state, 'scheme').error?.message).toBe('GET ftp://127.0.0.1/x cannot be sent: the url\'s scheme is ftp, not http or https');
    expect(upstream.received.length).toBe(before);
  });

  it('sends a method an expression gives in any case, and header values from expressions as text, or not at all', async () => {
    await upload(world, {
      id: 'computed-request', name: 'Computed request', maxParallel: 4,
      nodes: [
        { id: 'lower', type: 'http', config: { method: "{{ 'post' }}", url: `${upstream.url}/echo`, body: { a: 1 }, headers: { 'x-count': '{{ 5 }}', 'x-gone': '{{ null }}', 'x-object': '{{ {"a": 1} }}' } } },
        { id: 'get', type: 'http', config: { method: "{{ 'get' }}", url: `${upstream.url}/echo`, body: { ignored: true } } },
        { id: 'odd', type: 'http', onError: 'continue', config: { method: "{{ 'PROPFIND' }}", url: `${upstream.url}/echo` } },
        { id: 'length', type: 'http', onError: 'continue', config: { method: 'POST', url: `${upstream.url}/echo`, body: 'abc', headers: { 'content-length': '10' } } },
      ],
    });
    const before = upstream.received.length;
    const { state } = await finish(world, await start(world, 'computed-request'));
    const sent = nodeOf(state, 'lower').output as { body: { method: string; body: string; headers: Record<string, string> } };
    expect(sent.body).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'x-count': '5', 'x-object': '{"a":1}' } });
    expect(sent.body.headers).not.toHaveProperty('x-gone');
    expect(nodeOf(state, 'get').output).toMatchObject({ status: 200, body: { path: '/echo' } });
    expect(nodeOf(state, 'odd')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpInvalidRequest', message: expect.stringContaining('"PROPFIND" is not one of GET') } });
    expect(nodeOf(state, 'length')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpInvalidRequest' } });
    expect(upstream.received.length - before).toBe(2);
  });

  it('waits until a moment an expression gives only when it names its zone, as a written one must', async () => {
    await upload(world, {
      id: 'zoned-until', name: 'Zoned until', maxParallel: 4,
      nodes: ['zoned', 'offset', 'local', 'day'].map((id) => ({ id, type: 'delay', onError: 'continue', config: { until: `{{ input.${id} }}` } })),
    });
    const { state } = await finish(world, await start(world, 'zoned-until', {
      zoned: '2020-01-01T00:00:00Z', offset: '2020-01-01T09:00+09:00', local: '2020-01-01T00:00:00', day: '2020-01-01',
    }));
    expect(state.nodes.map((n) => [n.id, n.status, n.error?.type])).toEqual([
      ['zoned', 'completed', undefined], ['offset', 'completed', undefined], ['local', 'failed', 'InvalidTimestamp'], ['day', 'failed', 'InvalidTimestamp'],
    ]);
    // Without a zone, the moment depends on the time zone of the worker that reads it.
    expect(nodeOf(state, 'local').error?.message).toBe('until "2020-01-01T00:00:00" is not an ISO timestamp with a zone, such as 2025-01-31T09:00:00Z');
  });

  it('holds a duration an expression gives to the 100 years a written one may wait', async () => {
    await upload(world, {
      id: 'long-delay', name: 'Long delay', maxParallel: 3,
      nodes: ['century', 'longer', 'endless'].map((id) => ({ id, type: 'delay', onError: 'continue', config: { duration: `{{ input.${id} }}` } })),
    });
    const { state } = await finish(world, await start(world, 'long-delay', { century: '0s', longer: '36526d', endless: '999999999d' }));
    expect(state.nodes.map((n) => [n.id, n.status, n.error?.type])).toEqual([
      ['century', 'completed', undefined], ['longer', 'failed', 'InvalidDuration'], ['endless', 'failed', 'InvalidDuration'],
    ]);
    expect(nodeOf(state, 'endless').error?.message).toBe('duration "999999999d" is longer than 100 years (36525d), the longest a delay waits');
  });

  it('fails a transform whose expression does not end, and goes on running the work of others', async () => {
    await upload(world, {
      id: 'endless', name: 'Endless', maxParallel: 2,
      nodes: [
        { id: 'loop', type: 'transform', onError: 'continue', config: { value: '{{ ($loop := function($n) { $loop($n + 1) }; $loop(0)) }}' } },
        { id: 'sum', type: 'transform', config: { value: '{{ $sum($map([1..input.n], function($x) { $x * 2 })) }}' } },
      ],
      output: '{{ nodes.sum.output }}',
    });
    const { state } = await finish(world, await start(world, 'endless', { n: 20_000 }));
    expect(state).toMatchObject({ status: 'completed', output: 400_020_000 });
    expect(nodeOf(state, 'loop')).toMatchObject({ status: 'failed', error: { type: 'ExpressionError', message: expect.stringContaining('stopped after 200,000 steps') } });
  });

  it('runs exactly one branch of a converted if-else, whatever its condition gives', async () => {
    await upload(world, {
      id: 'if-else', name: 'If-else',
      nodes: [
        { id: 'c', type: 'if-else', condition: '{{ input.flag }}', true_edge: 'yes', false_edge: 'no' },
        { id: 'yes', type: 'transform', config: { value: 'yes' } },
        { id: 'no', type: 'transform', config: { value: 'no' } },
      ],
      edges: [{ source: 'c', target: 'yes' }, { source: 'c', target: 'no' }],
    });
    // As `when` reads a value: false, null, 0, "" and nothing skip; anything else runs, an empty list too.
    const cases: Array<[unknown, string]> = [[true, 'yes'], ['x', 'yes'], [[], 'yes'], [{}, 'yes'], [[false], 'yes'], [false, 'no'], [0, 'no'], ['', 'no'], [null, 'no'], [undefined, 'no']];
    for (const [flag, ran] of cases) {
      const { state } = await finish(world, await start(world, 'if-else', flag === undefined ? {} : { flag }));
      expect([flag, state.nodes.filter((n) => n.status === 'completed').map((n) => n.id)]).toEqual([flag, [ran]]);
    }
  });

  it('fails an answer past maxResponseBytes at once, whether it says its length or not', async () => {
    const limited = (id: string, path: string) => ({ id, type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { url: `${upstream.url}${path}`, maxResponseBytes: 1_000_000 } });
    await upload(world, { id: 'too-large', name: 'Too large', maxParallel: 2, nodes: [limited('file', '/file'), limited('stream', '/stream')] });
    const { state } = await finish(world, await start(world, 'too-large'));
    expect(state.nodes.map((n) => [n.id, n.status, n.attempts, n.error?.type])).toEqual([['file', 'failed', 1, 'HttpResponseTooLarge'], ['stream', 'failed', 1, 'HttpResponseTooLarge']]);
    expect(nodeOf(state, 'stream').error?.message).toBe(`GET ${upstream.url}/stream answered 200 with a body past 1000000 bytes (maxResponseBytes)`);
  });

  it('fails a JSON answer nested past 256 levels at once, and reads one just within', async () => {
    const fetch = (id: string, path: string) => ({ id, type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { url: `${upstream.url}${path}` } });
    await upload(world, {
      id: 'too-deep', name: 'Too deep', nodes: [fetch('deep', '/deep'), fetch('shallow', '/shallow')],
      output: '{{ $count($keys(nodes.shallow.output.body)) }}',
    });
    const { state } = await finish(world, await start(world, 'too-deep'));
    expect(state.nodes.map((n) => [n.id, n.status, n.attempts, n.error?.type])).toEqual([['deep', 'failed', 1, 'HttpResponseTooDeep'], ['shallow', 'completed', 1, undefined]]);
    expect(nodeOf(state, 'deep').error?.message).toBe(`GET ${upstream.url}/deep answered 200 with JSON that nests deeper than 256 levels`);
    expect(state.output).toBe(1);
  });

  it('reads a HEAD\'s length without a body, JSON after a byte-order mark, and sends the url\'s own query as written', async () => {
    await upload(world, {
      id: 'http-edges', name: 'HTTP edges',
      nodes: [
        // The resource is past maxResponseBytes; the answer, which has no body, is not.
        { id: 'head', type: 'http', config: { method: 'HEAD', url: `${upstream.url}/big`, maxResponseBytes: 1000 } },
        { id: 'bom', type: 'http', config: { url: `${upstream.url}/bom` } },
        // A signed URL's query must reach the server byte for byte; `query` comes after it.
        { id: 'echo', type: 'http', config: { url: `${upstream.url}/echo?sig=a%20b~c&flag&x=%2F`, query: { p: 'a b&c=d', arr: [1, 'two', null] } } },
      ],
    });
    const { state } = await finish(world, await start(world, 'http-edges'));
    expect(state.status).toBe('completed');
    expect(nodeOf(state, 'head').output).toMatchObject({ status: 200, headers: { 'content-length': String(100 * 1024 * 1024) }, body: '' });
    expect((nodeOf(state, 'bom').output as { body: unknown }).body).toEqual({ a: 1 });
    expect((nodeOf(state, 'echo').output as { body: unknown }).body).toEqual({ path: '/echo?sig=a%20b~c&flag&x=%2F&p=a%20b%26c%3Dd&arr=1&arr=two' });
  });

  it('sends text that holds half of an emoji in a query, as fetch would, and records the run in the index', async () => {
    await upload(world, {
      id: 'half-emoji', name: 'Half an emoji',
      nodes: [
        { id: 'get', type: 'http', config: { url: `${upstream.url}/half-emoji` } },
        { id: 'send', type: 'http', needs: ['get'], config: { url: `${upstream.url}/echo`, query: { text: '{{ nodes.get.output.body.text }}' } } },
      ],
    });
    const runId = await start(world, 'half-emoji');
    const { state } = await finish(world, runId);
    expect(nodeOf(state, 'send')).toMatchObject({ status: 'completed', attempts: 1, output: { body: { path: '/echo?text=%EF%BF%BDx' } } });
    // The run index has the close, which PostgreSQL refused with either in its events: U+FFFD stands in for each.
    expect((await getRun(world.database.db, runId))?.status).toBe('completed');
    const stored = (await getRunEvents(world.database.db, runId, 0)).find((e) => e.type === 'node.completed' && e.nodeId === 'get');
    expect(stored?.data).toMatchObject({ output: { body: { text: '\ufffdx', nul: 'a\ufffdb' } } });
  });

  it('keeps every cookie of an answer, and reads its text in the charset it names', async () => {
    const get = (id: string, path: string) => ({ id, type: 'http', config: { url: `${upstream.url}${path}` } });
    await upload(world, {
      id: 'http-text', name: 'HTTP text', maxParallel: 5,
      nodes: [get('cookies', '/cookies'), get('latin1', '/latin1'), get('json', '/latin1-json'), get('mislabelled', '/mislabelled-json'), get('unknown', '/unknown-charset')],
      output: { cookie: '{{ nodes.cookies.output.cookies[1] }}' },
    });
    const { state } = await finish(world, await start(world, 'http-text'));
    expect(state.status).toBe('completed');
    expect(nodeOf(state, 'cookies').output).toMatchObject({
      cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      // Strings, as every header: the two cookies joined as fetch joins them.
      headers: { 'set-cookie': 'session=abc; Path=/; HttpOnly, theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'x-tag': 'one, two' },
    });
    expect(nodeOf(state, 'latin1').output).not.toHaveProperty('cookies');
    expect(state.output).toEqual({ cookie: 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT' });
    expect(nodeOf(state, 'latin1').output).toMatchObject({ body: 'café' });
    expect(nodeOf(state, 'latin1').output).not.toHaveProperty('bodyEncoding');
    expect(nodeOf(state, 'json').output).toMatchObject({ body: { name: 'Zoë' } });
    expect(nodeOf(state, 'mislabelled').output).toMatchObject({ body: { name: 'Zoë' } });
    expect(nodeOf(state, 'unknown').output).toMatchObject({ body: 'naïve' });
  });

  it('follows redirects, sending the node\'s headers only within the origin, and a POST redirected by a 302 as a GET', async () => {
    const keyed = { 'x-api-key': 'K' };
    await upload(world, {
      id: 'redirects', name: 'Redirects',
      nodes: [
        { id: 'same', type: 'http', config: { url: `${upstream.url}/hop`, headers: keyed } },
        // The key may be a secret: another origin must not get it.
        { id: 'away', type: 'http', config: { url: `${upstream.url}/away`, headers: keyed } },
        { id: 'posted', type: 'http', config: { method: 'POST', url: `${upstream.url}/posted`, body: { a: 1 } } },
      ],
    });
    const { state } = await finish(world, await start(world, 'redirects'));
    expect(state.nodes.map((n) => [n.id, (n.output as { body: unknown }).body])).toEqual([
      ['same', { key: 'K' }],
      ['away', { key: null, elsewhere: true }],
      ['posted', { method: 'GET', body: '' }],
    ]);
  });

  it('waits no longer than the node\'s maxInterval, whatever Retry-After asks', async () => {
    await upload(world, {
      id: 'retry-after', name: 'Retry-After',
      nodes: [{ id: 'later', type: 'http', retry: { maxAttempts: 3, initialInterval: '100ms', maxInterval: '1s' }, config: { url: `${upstream.url}/later` } }],
    });
    const { state } = await finish(world, await start(world, 'retry-after'));
    expect(nodeOf(state, 'later')).toMatchObject({ status: 'completed', attempts: 2, output: { body: { calls: 2 } } });
  });

  it('outputs a body that is not text as base64, every byte kept, and says so', async () => {
    await upload(world, {
      id: 'logo', name: 'Logo',
      nodes: [{ id: 'get', type: 'http', config: { url: `${upstream.url}/logo` } }, { id: 'ok', type: 'http', config: { url: `${upstream.url}/ok` } }],
      output: { logo: '{{ nodes.get.output.body }}', encoding: '{{ nodes.get.output.bodyEncoding }}', ok: '{{ nodes.ok.output }}' },
    });
    const { state } = await finish(world, await start(world, 'logo'));
    expect(state.output).toMatchObject({ logo: logo.toString('base64'), encoding: 'base64' });
    expect(Buffer.from((state.output as { logo: string }).logo, 'base64').equals(logo)).toBe(true);
    // Text stays text, without an encoding.
    expect(Object.keys((state.output as { ok: object }).ok).sort()).toEqual(['body', 'headers', 'status']);
  });

  it('sends a base64 body as the bytes it encodes: a downloaded file goes on as it came', async () => {
    await upload(world, {
      id: 'relay-logo', name: 'Relay logo', maxParallel: 1,
      nodes: [
        { id: 'get', type: 'http', config: { url: `${upstream.url}/logo` } },
        { id: 'put', type: 'http', needs: ['get'], config: { method: 'PUT', url: `${upstream.url}/upload`, body: '{{ nodes.get.output.body }}', bodyEncoding: '{{ nodes.get.output.bodyEncoding }}' } },
        { id: 'typed', type: 'http', needs: ['put'], config: { method: 'PUT', url: `${upstream.url}/upload`, headers: { 'content-type': 'image/png' }, body: logo.toString('base64'), bodyEncoding: 'base64' } },
        // An answer that is text has no encoding: its body goes as text.
        { id: 'text', type: 'http', needs: ['typed'], config: { method: 'PUT', url: `${upstream.url}/upload`, body: 'plain words', bodyEncoding: '{{ nodes.typed.output.bodyEncoding }}' } },
      ],
      output: '{{ nodes.put.output.body }}',
    });
    const before = upstream.received.length;
    const { state } = await finish(world, await start(world, 'relay-logo'));
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ bytes: logo.length });
    const [put, typed, text] = upstream.received.slice(before).filter((r) => r.path === '/upload');
    expect(put!.bytes.equals(logo)).toBe(true);
    expect(put!.headers['content-type']).toBe('application/octet-stream');
    expect(typed!.bytes.equals(logo)).toBe(true);
    expect(typed!.headers['content-type']).toBe('image/png');
    expect(text!.body).toBe('plain words');
  });

  it('fails a body that is not the base64 it is said to be at once, without sending it', async () => {
    await upload(world, {
      id: 'bad-base64', name: 'Bad base64', maxParallel: 2,
      nodes: [
        { id: 'body', type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { method: 'PUT', url: `${upstream.url}/upload`, body: '{{ input.text }}', bodyEncoding: 'base64' } },
        { id: 'encoding', type: 'http', onError: 'continue', retry: { maxAttempts: 3, initialInterval: '1s' }, config: { method: 'PUT', url: `${upstream.url}/upload`, body: 'aGk=', bodyEncoding: '{{ input.encoding }}' } },
      ],
    });
    const before = upstream.received.length;
    const { state } = await finish(world, await start(world, 'bad-base64', { text: 'not base64!', encoding: 'hex' }));
    expect(state.nodes.map((n) => [n.id, n.status, n.attempts, n.error?.type])).toEqual([['body', 'failed', 1, 'HttpInvalidRequest'], ['encoding', 'failed', 1, 'HttpInvalidRequest']]);
    expect(nodeOf(state, 'body').error?.message).toBe(`PUT ${upstream.url}/upload cannot be sent: the body is not base64 (standard alphabet, padded), which bodyEncoding "base64" says it is`);
    expect(nodeOf(state, 'encoding').error?.message).toBe(`PUT ${upstream.url}/upload cannot be sent: bodyEncoding is "hex", not "base64"`);
    expect(upstream.received.length).toBe(before);
  });

  it('fails with the server\'s answer when it is too large for history: its body is stored, and a 5xx is still retried', async () => {
    await upload(world, {
      id: 'error-page', name: 'Error page',
      nodes: [{ id: 'get', type: 'http', onError: 'continue', retry: { maxAttempts: 2, initialInterval: '50ms' }, config: { url: `${upstream.url}/error-page` } }],
    });
    const before = upstream.received.filter((r) => r.path === '/error-page').length;
    const { state } = await finish(world, await start(world, 'error-page'));
    expect(nodeOf(state, 'get')).toMatchObject({
      status: 'failed', attempts: 2,
      error: { type: 'HttpServerError', message: `GET ${upstream.url}/error-page answered 502 Bad Gateway`, details: { status: 502, body: { $ref: expect.stringMatching(/^blob:/) as unknown } } },
    });
    expect(upstream.received.filter((r) => r.path === '/error-page').length - before).toBe(2);
  });

  it('says why a request got no answer: a refused connection and a timeout are retried, then fail the node', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await upload(world, {
      id: 'unanswered', name: 'Unanswered', maxParallel: 2,
      nodes: [
        { id: 'refused', type: 'http', onError: 'continue', retry: { maxAttempts: 2, initialInterval: '50ms' }, config: { url: `${closed}/x` } },
        { id: 'slow', type: 'http', onError: 'continue', retry: { maxAttempts: 2, initialInterval: '50ms' }, config: { url: `${upstream.url}/slow`, timeout: '200ms' } },
      ],
    });
    const before = upstream.received.filter((r) => r.path === '/slow').length;
    const { state } = await finish(world, await start(world, 'unanswered'));
    expect(nodeOf(state, 'refused')).toMatchObject({
      status: 'failed', attempts: 2,
      error: { type: 'HttpConnectionError', message: `GET ${closed}/x failed before an answer came: connect ECONNREFUSED ${closed.slice('http://'.length)}` },
    });
    expect(nodeOf(state, 'slow')).toMatchObject({ status: 'failed', attempts: 2, error: { type: 'HttpTimeout', message: `GET ${upstream.url}/slow did not answer within 200ms` } });
    expect(upstream.received.filter((r) => r.path === '/slow').length - before).toBe(2);
  });

  it('onError: continue records the failure and lets dependents read it', async () => {
    await upload(world, {
      id: 'tolerant', name: 'Tolerant',
      nodes: [
        { id: 'get', type: 'http', onError: 'continue', config: { url: `${upstream.url}/bad` } },
        { id: 'report', type: 'transform', needs: ['get'], config: { value: { status: '{{ nodes.get.status }}', type: '{{ nodes.get.error.type }}' } } },
      ],
      output: '{{ nodes.report.output }}',
    });
    const { state } = await finish(world, await start(world, 'tolerant'));
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ status: 'failed', type: 'HttpClientError' });
  });
});
