import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { command, finish, nodeOf, start, waitFor } from '../support/run-control.js';
import { runToEnd, upload } from '../support/runs.js';
import type { RunEvent, RunState } from '../../src/workflows/state.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

const token = 's3cr3t-t0ken-value';
// A secret a URL carries percent-encoded.
const password = 'p@ss w/rd+1';
// A secret a body quotes JSON-escaped, and a page HTML-escaped.
const quoted = 'p"a\\ss/w0rd<&>';

describe('secrets', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({
      // An upstream that echoes what it was sent, secrets included.
      'POST /echo': (req, res) => json(res, 200, { authorization: req.headers.authorization, body: JSON.parse(req.body) as unknown }),
      // A service that quotes the URL it was called with, as an error page would, and its query re-encoded as a form.
      'GET /quote': (req, res) => json(res, 200, {
        url: req.path, form: new URL(req.path, 'http://127.0.0.1').searchParams.toString(), lower: req.path.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      }),
      'GET /leak': (_req, res) => json(res, 200, { text: 'try \uE000weft-secret:someone-else:token\uE001' }),
      // A service that refuses the request, quoting the credential it was given.
      'POST /refuse': (req, res) => json(res, 403, { error: `token ${String(req.headers.authorization)} is not allowed` }),
      // Services that give back what they were sent otherwise: the query as an object's keys, a header's name.
      'GET /keys': (req, res) => json(res, 200, { args: Object.fromEntries(new URL(req.path, 'http://127.0.0.1').searchParams) }, { [`x-${token}`]: 'seen' }),
      // Bytes that are not text (kept as base64) around the credential.
      'GET /bytes': (req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' })
        .end(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(` ${String(req.headers.authorization)} `), Buffer.from([0xff])])),
      // The body quoted as a string, and as an error page would.
      'POST /raw': (req, res) => json(res, 200, { data: req.body }),
      // The password quoted back as text, as services written in other languages escape it.
      'POST /quoted': (req, res) => {
        const { password: p } = JSON.parse(req.body) as { password: string };
        const js = JSON.stringify(p).slice(1, -1);
        res.writeHead(400, { 'content-type': 'text/plain' }).end([
          `go json: ${js.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}`,
          `php json: ${js.replace(/\//g, '\\/')}`,
          `dotnet json: ${js.replace(/\\"/g, '\\u0022').replace(/</g, '\\u003C').replace(/>/g, '\\u003E').replace(/&/g, '\\u0026')}`,
          `go html: ${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;')}`,
          `python html: ${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}`,
          `text node: ${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`,
          `decimal: ${p.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}`,
        ].join('\n'));
      },
      'POST /page': (req, res) => res.writeHead(400, { 'content-type': 'text/html' })
        .end(`<p>refused: ${req.body.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' } as Record<string, string>)[c]!)}</p>`),
    });
    world = await startWorld('pglite', { secrets: { token, password, quoted } });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  /**
   * Each of `written` is nowhere in the run's Temporal history (as it is, or as the first `base64Chars` of its
   * base64, as a payload carries it), its state or its events.
   */
  async function expectNowhere(run: { runId: string; state: RunState; events: RunEvent[] }, written: string[], base64Chars: number) {
    const history = JSON.stringify(await world.temporal.client.workflow.getHandle(run.runId).fetchHistory());
    for (const text of written) {
      expect(history).not.toContain(text);
      expect(history).not.toContain(Buffer.from(text).toString('base64').slice(0, base64Chars));
      expect(JSON.stringify(run.state)).not.toContain(text);
      expect(JSON.stringify(run.events)).not.toContain(text);
    }
  }

  it('reach the service, never Temporal history, the run state or the events', async () => {
    await upload(world, {
      id: 'secret-call', name: 'Secret call',
      nodes: [{ id: 'call', type: 'http', config: { method: 'POST', url: `${upstream.url}/echo`, headers: { authorization: 'Bearer {{ secrets.token }}' }, body: { key: '{{ secrets.token }}', order: '{{ input.order }}' } } }],
    });
    const { runId, state, events } = await runToEnd(world, 'secret-call', { order: 7 });
    expect(state.status).toBe('completed');
    const sent = upstream.received.find((r) => r.path === '/echo')!;
    expect(sent.headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.parse(sent.body)).toEqual({ key: token, order: 7 });
    // What the service echoed back is redacted before it becomes the node's output.
    expect(state.nodes[0]?.output).toMatchObject({ body: { authorization: 'Bearer [secret]', body: { key: '[secret]', order: 7 } } });
    await expectNowhere({ runId, state, events }, [token], 16);
  });

  it('stay out of a failed node\'s error, whose details carry the answer, and out of history', async () => {
    await upload(world, {
      id: 'secret-refused', name: 'Secret refused',
      nodes: [{ id: 'call', type: 'http', config: { method: 'POST', url: `${upstream.url}/refuse?key={{ secrets.token }}`, headers: { authorization: 'Bearer {{ secrets.token }}' }, body: {} } }],
    });
    const { runId, state, events } = await runToEnd(world, 'secret-refused');
    expect(state.status).toBe('failed');
    expect(state.nodes[0]?.error).toMatchObject({ type: 'HttpClientError', message: expect.stringContaining('key=[secret]') });
    const history = JSON.stringify(await world.temporal.client.workflow.getHandle(runId).fetchHistory());
    // The answer is in the failure's details: the refusal, with the quoted credential redacted.
    const decoded = (await world.temporal.client.workflow.getHandle(runId).fetchHistory()).events!
      .flatMap((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.details?.payloads ?? [])
      .map((p) => Buffer.from(p.data!).toString('utf8'));
    expect(decoded.join('')).toContain('Bearer [secret] is not allowed');
    expect(decoded.join('')).not.toContain(token);
    expect(history).not.toContain(token);
    expect(JSON.stringify(state)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('stay out of what a service quotes of the URL, where they are percent-encoded', async () => {
    await upload(world, {
      id: 'secret-in-url', name: 'Secret in a URL',
      nodes: [
        { id: 'query', type: 'http', config: { url: `${upstream.url}/quote`, query: { password: '{{ secrets.password }}' } } },
        // Written into the url, where the URL's own encoding leaves most of it as it is.
        { id: 'url', type: 'http', needs: ['query'], config: { url: `${upstream.url}/quote?password={{ secrets.password }}` } },
      ],
    });
    const { state, events } = await runToEnd(world, 'secret-in-url');
    expect(state.status).toBe('completed');
    expect(upstream.received.slice(-2).map((r) => r.path)).toEqual([`/quote?password=${encodeURIComponent(password)}`, '/quote?password=p@ss%20w/rd+1']);
    const redacted = { url: '/quote?password=[secret]', lower: '/quote?password=[secret]' };
    expect(state.nodes[0]?.output).toMatchObject({ body: { ...redacted, form: 'password=[secret]' } });
    // (Its form is the service's misreading: the secret's `+`, sent as it is, reads as a space.)
    expect(state.nodes[1]?.output).toMatchObject({ body: redacted });
    expect(JSON.stringify(state)).not.toContain(encodeURIComponent(password));
    expect(JSON.stringify(events)).not.toContain(encodeURIComponent(password));
  });

  it('stay out of keys, header names, bytes kept as base64, and bodies quoted JSON- or HTML-escaped', async () => {
    await upload(world, {
      id: 'secret-echoed', name: 'Secrets echoed otherwise',
      nodes: [
        { id: 'keys', type: 'http', config: { url: `${upstream.url}/keys?{{ secrets.token }}` } },
        { id: 'bytes', type: 'http', config: { url: `${upstream.url}/bytes`, headers: { authorization: 'Bearer {{ secrets.token }}' } } },
        { id: 'raw', type: 'http', config: { method: 'POST', url: `${upstream.url}/raw`, body: { password: '{{ secrets.quoted }}' } } },
        { id: 'page', type: 'http', onError: 'continue', retry: { maxAttempts: 1 }, config: { method: 'POST', url: `${upstream.url}/page`, body: { password: '{{ secrets.quoted }}' } } },
        { id: 'quoted', type: 'http', onError: 'continue', retry: { maxAttempts: 1 }, config: { method: 'POST', url: `${upstream.url}/quoted`, body: { password: '{{ secrets.quoted }}' } } },
      ],
    });
    const { runId, state, events } = await runToEnd(world, 'secret-echoed');
    expect(state.status).toBe('completed');
    const output = (id: string) => state.nodes.find((n) => n.id === id)?.output as { headers: Record<string, string>; body: unknown; bodyEncoding?: string };
    expect(output('keys').body).toEqual({ args: { '[secret]': '' } });
    expect(output('keys').headers['x-[secret]']).toBe('seen');
    expect(output('bytes').bodyEncoding).toBe('base64');
    expect(Buffer.from(output('bytes').body as string, 'base64')).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' Bearer [secret] '), Buffer.from([0xff])]));
    expect(output('raw').body).toEqual({ data: '{"password":"[secret]"}' });
    expect(state.nodes.find((n) => n.id === 'page')?.error).toMatchObject({ details: { body: '<p>refused: {&quot;password&quot;:&quot;[secret]&quot;}</p>' } });
    const quotedBack = (state.nodes.find((n) => n.id === 'quoted')?.error as { details: { body: string } }).details.body;
    expect(quotedBack.split('\n').map((line) => line.split(': ')[1])).toEqual(Array.from({ length: 7 }, () => '[secret]'));
    await expectNowhere({ runId, state, events }, [token, JSON.stringify(quoted).slice(1, -1), 'p&quot;a', 'w0rd'], 12);
  });

  it('reach a retried node whose new config reads one the template does not', async () => {
    await upload(world, {
      id: 'secret-retry', name: 'Secret on retry',
      nodes: [{ id: 'call', type: 'http', onError: 'pause', retry: { maxAttempts: 1 }, config: { method: 'POST', url: `${upstream.url}/refuse`, body: {} } }],
    });
    const runId = await start(world, 'secret-retry');
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
    const retried = await command(world, runId, 'nodes/call/retry', {
      config: { method: 'POST', url: `${upstream.url}/echo`, headers: { authorization: 'Bearer {{ secrets.token }}' }, body: { missing: 'x' } },
    });
    expect(retried.status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(upstream.received.filter((r) => r.path === '/echo').at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
    expect(nodeOf(state, 'call').output).toMatchObject({ body: { authorization: 'Bearer [secret]' } });

    // One nobody set fails the retried node, saying what to set, rather than going as nothing.
    const second = await start(world, 'secret-retry');
    await waitFor(world, second, (s) => s.status === 'waiting_for_operator');
    await command(world, second, 'nodes/call/retry', { config: { method: 'POST', url: `${upstream.url}/echo`, headers: { authorization: 'Bearer {{ secrets.unset }}' }, body: {} } });
    const held = await waitFor(world, second, (s) => s.status === 'waiting_for_operator' && nodeOf(s, 'call').attempts === 2);
    expect(nodeOf(held, 'call').error).toMatchObject({ type: 'SecretMissing', message: expect.stringContaining('WEFT_SECRET_unset') });
    await command(world, second, 'cancel');
  });

  it('reach the service from a map run in batches, whose items run in executions of their own', async () => {
    await upload(world, {
      id: 'secret-batches', name: 'Secret batches', maxParallel: 100,
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..501] }}', concurrency: 100, node: { type: 'http', config: { method: 'POST', url: `${upstream.url}/echo`, headers: { authorization: 'Bearer {{ secrets.token }}' }, body: { key: '{{ secrets.token }}', i: '{{ item }}' } } } } }],
      output: '{{ nodes.each.output[[0, 500]].body }}',
    });
    const before = upstream.received.length;
    const { state } = await runToEnd(world, 'secret-batches');
    expect(state.status).toBe('completed');
    const sent = upstream.received.slice(before).filter((r) => r.path === '/echo');
    expect(sent.length).toBe(501);
    expect(sent.every((r) => r.headers.authorization === `Bearer ${token}` && (JSON.parse(r.body) as { key: string }).key === token)).toBe(true);
    expect(state.output).toEqual([{ authorization: 'Bearer [secret]', body: { key: '[secret]', i: 1 } }, { authorization: 'Bearer [secret]', body: { key: '[secret]', i: 501 } }]);
  }, 60_000);

  it('fail the node at once, saying what to set, when a secret is missing', async () => {
    await upload(world, { id: 'no-secret', name: 'No secret', nodes: [{ id: 'call', type: 'http', config: { method: 'POST', url: `${upstream.url}/echo`, body: { key: '{{ secrets.missing }}' } } }] });
    const before = upstream.received.length;
    const { state } = await runToEnd(world, 'no-secret');
    expect(state.status).toBe('failed');
    expect(state.nodes[0]?.error).toMatchObject({ type: 'SecretMissing', message: expect.stringContaining('WEFT_SECRET_missing') });
    expect(upstream.received.length).toBe(before);
  });

  it('are never resolved from text a service sends back', async () => {
    await upload(world, {
      id: 'relay', name: 'Relay',
      nodes: [
        { id: 'get', type: 'http', config: { url: `${upstream.url}/leak` } },
        { id: 'post', type: 'http', needs: ['get'], config: { method: 'POST', url: `${upstream.url}/echo`, body: { text: '{{ nodes.get.output.body.text }}', auth: '{{ secrets.token }}' } } },
      ],
    });
    await runToEnd(world, 'relay');
    const sent = JSON.parse(upstream.received.filter((r) => r.path === '/echo').at(-1)!.body) as { text: string; auth: string };
    expect(sent.auth).toBe(token);
    expect(sent.text).not.toContain(token);
  });

  it('come from WEFT_SECRET_<name> variables', () => {
    expect(loadConfig({ WEFT_SECRET_pagerToken: 'abc', WEFT_SECRET_: 'x', OTHER: 'y' }).secrets).toEqual({ pagerToken: 'abc' });
  });
});
