import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/workflows/state.js';
import { hasChromium, launchChromium, resultPath, openPage } from '../support/browser.js';
import { serveWorld } from '../support/http-server.js';
import { eventsOf, start, stateOf, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** `expect.poll` with room for a run's real latency (the default gives up after a second). */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000 });

/** An order release: a slow upstream call, a branch of a transform and a timer, a person's approval, a publish. */
const release = (upstream: string) => ({
  id: 'ui-release', name: 'Order release',
  description: 'Fetches an order, prices it, waits a cool-off, asks a person, then publishes.',
  nodes: [
    { id: 'fetch', name: 'Fetch order', type: 'http', config: { url: `${upstream}/slow-order` } },
    { id: 'price', name: 'Price order', type: 'transform', needs: ['fetch'], config: { value: '{{ nodes.fetch.output.body.total }}' } },
    { id: 'cool', name: 'Cool-off', type: 'delay', needs: ['fetch'], config: { duration: '1s' } },
    { id: 'approve', name: 'Release approval', type: 'approval', needs: ['price', 'cool'], config: { prompt: 'Release order 42 for 129.50?' } },
    { id: 'publish', name: 'Publish', type: 'http', needs: ['approve'], config: { method: 'POST', url: `${upstream}/publish`, body: { decision: '{{ nodes.approve.output.decision }}' } } },
  ],
  output: '{{ nodes.price.output }}',
});

/** Three timers in a row: a run that lasts a few seconds and changes state while a page is cut off. */
const timers = {
  id: 'ui-timers', name: 'Three timers',
  nodes: [
    { id: 'first', type: 'delay', config: { duration: '1500ms' } },
    { id: 'second', type: 'delay', needs: ['first'], config: { duration: '1500ms' } },
    { id: 'third', type: 'transform', needs: ['second'], config: { value: 'done' } },
  ],
};

/** Records every `data-status` a graph node takes, from before the page's own script runs. */
const recordStatuses = () => {
  const seen: string[] = [];
  (window as unknown as { statusLog: string[] }).statusLog = seen;
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target as HTMLElement;
      if (el.dataset.nodeId) seen.push(`${el.dataset.nodeId}:${el.dataset.status}`);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
};

const node = (page: Page, id: string) => page.locator(`.dag-node[data-node-id="${id}"]`);
const colour = (page: Page, id: string) => node(page, id).evaluate((el) => getComputedStyle(el).borderTopColor);

describe.skipIf(!hasChromium() && process.env.CI !== 'true')('the live DAG page in Chromium', () => {
  let world: World;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /slow-order': (_req, res) => void setTimeout(() => json(res, 200, { id: 42, total: 129.5 }), 1500),
      'POST /publish': (_req, res) => json(res, 202, { published: true }),
    });
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, release(upstream.url));
    await upload(world, timers);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await world?.close();
    await upstream?.close();
  });

  beforeEach(async () => {
    page = await openPage(browser);
  });
  afterEach(async () => {
    await page?.close();
  });

  it('draws a template\'s DAG before any run, laid out by its needs', async () => {
    // Nothing the page asks for is missing: its script, styles and API reads all answer.
    const failed: string[] = [];
    page.on('response', (res) => res.status() >= 400 && failed.push(`${res.status()} ${res.url()}`));
    await page.goto(`${server.url}/ui/templates/ui-release`);
    await eventually(() => page.locator('.dag-node').count()).toBe(5);
    expect(failed).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe('Order release');
    expect(await page.locator('.dag-node[data-status="idle"]').count()).toBe(5);
    expect(await page.locator('.dag-edge').count()).toBe(5);
    // Left to right by rank: each node sits right of everything it needs.
    const left = async (id: string) => (await node(page, id).boundingBox())!.x;
    expect(await left('fetch')).toBeLessThan(await left('price'));
    expect(await left('cool')).toBeLessThan(await left('approve'));
    expect(await left('approve')).toBeLessThan(await left('publish'));
    await node(page, 'approve').click();
    await eventually(() => node(page, 'approve').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.node-panel [data-section="config"] pre').textContent()).toContain('Release order 42 for 129.50?');
    await page.screenshot({ path: resultPath('template-page.png'), fullPage: true });
  });

  it('follows a run live: nodes change colour as it runs, an approval is decided from the page, the run completes', async () => {
    await page.addInitScript(recordStatuses);
    const runId = await start(world, 'ui-release');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => page.locator('.connection').getAttribute('data-state')).toBe('live');

    await eventually(() => node(page, 'fetch').getAttribute('data-status')).toBe('running');
    expect(await node(page, 'fetch').textContent()).toContain('Running');
    const running = await colour(page, 'fetch');
    const pending = await colour(page, 'publish');
    expect(running).not.toBe(pending);

    await eventually(() => node(page, 'approve').getAttribute('data-status')).toBe('waiting');
    expect(await node(page, 'fetch').getAttribute('data-status')).toBe('completed');
    expect(await node(page, 'approve').textContent()).toContain('Waiting');
    expect(new Set([await colour(page, 'fetch'), await colour(page, 'approve'), await colour(page, 'publish'), running]).size).toBe(4);
    expect(await page.locator('.progress').getAttribute('aria-valuenow')).toBe('60');

    await node(page, 'approve').click();
    await eventually(() => page.locator('.approval .prompt').textContent()).toBe('Release order 42 for 129.50?');
    await page.screenshot({ path: resultPath('live-run-waiting.png'), fullPage: true });
    await page.fill('#approval-comment', 'Numbers check out');
    await page.fill('#approval-by', 'dana');
    await page.click('.approval button[data-action="approve"]');

    await eventually(() => page.locator('.run-status').getAttribute('data-status')).toBe('completed');
    expect(await page.locator('.run-status').textContent()).toBe('Completed');
    expect(await page.locator('.progress').getAttribute('aria-valuenow')).toBe('100');
    for (const id of ['fetch', 'price', 'cool', 'approve', 'publish']) expect(await node(page, id).getAttribute('data-status'), id).toBe('completed');
    expect(await page.locator('[data-section="run-output"] pre').textContent()).toBe('129.5');
    await eventually(() => page.locator('.node-panel [data-section="output"] pre').textContent()).toContain('Numbers check out');

    // Every state change reached the page, in order, and each node went through its states.
    const statuses = await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog);
    const of = (id: string) => statuses.filter((s) => s.startsWith(`${id}:`)).map((s) => s.slice(id.length + 1)).filter((s, i, all) => s !== all[i - 1]);
    expect(of('fetch')).toEqual(expect.arrayContaining(['running', 'completed']));
    expect(of('approve').slice(-2)).toEqual(['waiting', 'completed']);
    expect(of('publish').at(-1)).toBe('completed');
    const events = await eventsOf(world, runId);
    await eventually(() => page.locator('.event[data-seq]').count()).toBe(events.length);

    const state = await stateOf(world, runId);
    expect(state.nodes.find((n) => n.id === 'approve')?.output).toMatchObject({ decision: 'approve', comment: 'Numbers check out', by: 'dana' });
    expect(JSON.parse(upstream.received.find((r) => r.path === '/publish')?.body ?? 'null')).toEqual({ decision: 'approve' });
    await page.locator('.node-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: resultPath('live-run-page.png'), fullPage: true });
  });

  it('reconnects by itself and resumes with afterSeq: the events it missed arrive once, none twice', async () => {
    const runId = await start(world, 'ui-timers');
    const toServer: Array<{ connection: number; message: { type: string; afterSeq?: number } }> = [];
    let connections = 0;
    let lastSeqSent = 0;
    const resumed: number[] = [];
    let cut: (() => Promise<void>) | undefined;
    await page.routeWebSocket(/\/ws$/, async (ws) => {
      const connection = ++connections;
      const held: string[] = [];
      let upstreamSocket: ReturnType<typeof ws.connectToServer> | undefined;
      ws.onMessage((m) => {
        toServer.push({ connection, message: JSON.parse(String(m)) as { type: string } });
        if (upstreamSocket) upstreamSocket.send(m);
        else held.push(String(m));
      });
      if (connection === 1) {
        upstreamSocket = ws.connectToServer();
        upstreamSocket.onMessage((m) => {
          const frame = JSON.parse(String(m)) as { type: string; seq?: number; sub?: number };
          if ((frame.type === 'snapshot' || frame.type === 'event') && frame.sub === undefined) lastSeqSent = Math.max(lastSeqSent, frame.seq ?? 0);
          ws.send(m);
        });
        cut = async () => {
          await ws.close({ code: 4000, reason: 'cut by the test' });
          await upstreamSocket?.close();
        };
        return;
      }
      // Stay cut off from the server until the run has moved on, so the page has events to catch up on.
      await waitFor(world, runId, (s: RunState) => s.nodes[0]?.status === 'completed');
      upstreamSocket = ws.connectToServer();
      upstreamSocket.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { type: string; seq?: number; sub?: number };
        if (frame.type === 'event' && frame.sub === undefined) resumed.push(frame.seq ?? 0);
        ws.send(m);
      });
      for (const m of held.splice(0)) upstreamSocket.send(m);
    });
    await page.goto(`${server.url}/ui/runs/${runId}`);
    // A delay node waits on a timer.
    await eventually(() => node(page, 'first').getAttribute('data-status')).toBe('waiting');
    // Cut once the page follows the run over the socket (its first paint comes from `GET /runs/:id`).
    await eventually(() => lastSeqSent).toBeGreaterThan(0);
    await cut!();
    const seenBeforeCut = lastSeqSent;

    await eventually(() => page.locator('.run-status').getAttribute('data-status')).toBe('completed');
    expect(connections).toBeGreaterThanOrEqual(2);
    const subscribes = toServer.filter((s) => s.message.type === 'subscribe');
    expect(subscribes[0]).toEqual({ connection: 1, message: { type: 'subscribe', runId } });
    expect(subscribes[1]?.connection).toBe(2);
    expect(subscribes[1]?.message).toEqual({ type: 'subscribe', runId, afterSeq: seenBeforeCut });
    expect(seenBeforeCut).toBeGreaterThan(0);

    const events = await eventsOf(world, runId);
    expect(resumed).toEqual(events.map((e) => e.seq).filter((seq) => seq > seenBeforeCut));
    const shown = await page.locator('.event[data-seq]').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
    expect(shown).toEqual(events.map((e) => e.seq));
    for (const id of ['first', 'second', 'third']) expect(await node(page, id).getAttribute('data-status'), id).toBe('completed');
  });

  it('lists templates and the latest runs on the overview, each linking to its page', async () => {
    await page.goto(`${server.url}/ui`);
    await eventually(() => page.locator('.template-list li').count()).toBe(2);
    expect(await page.locator('[data-template-id="ui-release"] .template-name').textContent()).toBe('Order release');
    const runs = (await world.request('GET', '/api/v1/runs?topLevel=true').then((r) => r.json())) as { items: Array<{ runId: string }> };
    expect(await page.locator('tr[data-run-id]').count()).toBe(runs.items.length);
    await page.screenshot({ path: resultPath('overview.png'), fullPage: true });
    await page.locator(`tr[data-run-id="${runs.items[0]!.runId}"] a.mono`).click();
    await eventually(() => page.url()).toBe(`${server.url}/ui/runs/${runs.items[0]!.runId}`);
    await eventually(() => page.locator('.run-status').getAttribute('data-status')).toBe('completed');
  });

  it('lists the runs a run started, and links a child run back to the run that started it', async () => {
    await upload(world, { id: 'ui-child', name: 'Child', nodes: [{ id: 'twice', type: 'transform', config: { value: '{{ input.n * 2 }}' } }], output: '{{ nodes.twice.output }}' });
    await upload(world, {
      id: 'ui-parent', name: 'Parent',
      nodes: [{ id: 'each', type: 'map', config: { items: [1, 2], template: 'ui-child', input: { n: '{{ item }}' } } }],
      output: '{{ nodes.each.output }}',
    });
    const runId = await start(world, 'ui-parent');
    await waitFor(world, runId, (s) => s.status === 'completed');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    const rows = page.locator('.child-runs tr[data-run-id]');
    await eventually(() => rows.count()).toBe(2);
    expect((await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId))).sort()).toEqual([`${runId}.each.1.0`, `${runId}.each.1.1`]);
    // A child's id keeps its suffix in short, so that the two are told apart.
    expect(await page.locator(`.child-runs tr[data-run-id="${runId}.each.1.1"] a.mono`).textContent()).toBe(`${runId.slice(0, 8)}…each.1.1`);
    await page.locator(`.child-runs tr[data-run-id="${runId}.each.1.1"] a.mono`).click();
    await eventually(() => page.url()).toBe(`${server.url}/ui/runs/${runId}.each.1.1`);
    await eventually(() => page.locator('.run-status').getAttribute('data-status')).toBe('completed');
    await page.locator('.parent-run a').click();
    await eventually(() => page.url()).toBe(`${server.url}/ui/runs/${runId}`);
    // The page draws once its run and template have loaded.
    await eventually(() => page.locator('.child-runs tr[data-run-id]').count()).toBe(2);
    // The overview lists runs started from outside: the parent, not its children.
    await page.goto(`${server.url}/ui`);
    await eventually(() => page.locator(`tr[data-run-id="${runId}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-run-id^="${runId}."]`).count()).toBe(0);
  });

  it('says an unknown run does not exist, without logging it as a fault of the page', async () => {
    const logged: string[] = [];
    page.on('console', (message) => message.type() === 'error' && logged.push(message.text()));
    await page.goto(`${server.url}/ui/runs/no-such-run`);
    await eventually(() => page.locator('#app').textContent()).toContain('does not exist');
    // The browser's own line for the 404 answer aside.
    expect(logged.filter((text) => !text.startsWith('Failed to load resource'))).toEqual([]);
  });
});
