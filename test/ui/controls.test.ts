import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, resultPath, openPage } from '../support/browser.js';
import { serveWorld } from '../support/http-server.js';
import { eventsOf, nodeOf, start, stateOf, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** `expect.poll` with room for a run's real latency (the default gives up after a second). */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000 });

/** Two timers then a transform: long enough to pause, resume and cancel. */
const timers = {
  id: 'ui-timers', name: 'Timers',
  nodes: [
    { id: 'first', type: 'delay', config: { duration: '1500ms' } },
    { id: 'second', type: 'delay', needs: ['first'], config: { duration: '30s' } },
    { id: 'last', type: 'transform', needs: ['second'], config: { value: 'done' } },
  ],
};

/** A call that fails for good while the upstream is broken; the run waits for an operator. */
const fragile = (upstream: string) => ({
  id: 'ui-fragile', name: 'Fragile call',
  nodes: [
    { id: 'call', name: 'Call partner', type: 'http', onError: 'pause', config: { url: `${upstream}/partner` } },
    { id: 'after', name: 'Record', type: 'transform', needs: ['call'], config: { value: 'recorded' } },
  ],
});

/** An approval whose form asks for an amount. */
const signOff = {
  id: 'ui-sign-off', name: 'Sign-off',
  nodes: [{ id: 'sign', name: 'Sign off', type: 'approval', config: { prompt: 'Pay it?', formSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } } } }],
  output: '{{ nodes.sign.output.data.amount }}',
};

const statusOf = (page: Page) => page.locator('.run-status').getAttribute('data-status');
const nodeStatus = (page: Page, id: string) => page.locator(`.dag-node[data-node-id="${id}"]`).getAttribute('data-status');
const button = (page: Page, action: string) => page.locator(`button[data-action="${action}"]`);

describe.skipIf(!hasChromium() && process.env.CI !== 'true')('operator controls on the live page', () => {
  let world: World;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let partnerUp = false;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /partner': (_req, res) => (partnerUp ? json(res, 200, { ok: true }) : json(res, 400, { error: 'bad request' })),
    });
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, timers);
    await upload(world, fragile(upstream.url));
    await upload(world, signOff);
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

  it('pauses, resumes and cancels a run, each button enabled only when it applies', async () => {
    const runId = await start(world, 'ui-timers');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => page.locator('.connection').getAttribute('data-state')).toBe('live');
    expect(await button(page, 'resume').isDisabled()).toBe(true);

    await button(page, 'pause').click();
    await eventually(() => statusOf(page)).toBe('paused');
    expect(await page.locator('.run-status').textContent()).toBe('Paused');
    expect(await button(page, 'pause').isDisabled()).toBe(true);
    // The timer that was waiting ends; nothing new starts while paused.
    await waitFor(world, runId, (s) => s.nodes[0]?.status === 'completed');
    await eventually(() => nodeStatus(page, 'first')).toBe('completed');
    expect(await nodeStatus(page, 'second')).toBe('pending');

    await button(page, 'resume').click();
    await eventually(() => statusOf(page)).toBe('running');
    await eventually(() => nodeStatus(page, 'second')).toBe('waiting');

    // Cancel asks for a second click, in place.
    await button(page, 'cancel').click();
    expect(await button(page, 'cancel').textContent()).toBe('Confirm cancel');
    expect((await stateOf(world, runId)).status).toBe('running');
    await button(page, 'cancel').click();
    await eventually(() => statusOf(page)).toBe('cancelled');
    await eventually(() => nodeStatus(page, 'second')).toBe('cancelled');
    expect(await button(page, 'cancel').isDisabled()).toBe(true);
    expect((await stateOf(world, runId)).status).toBe('cancelled');
  });

  it('retries a failed node from its panel once the upstream is back', async () => {
    partnerUp = false;
    const runId = await start(world, 'ui-fragile');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => statusOf(page)).toBe('waiting_for_operator');
    expect(await page.locator('.run-status').textContent()).toBe('Needs an operator');
    await page.locator('.dag-node[data-node-id="call"]').click();
    await eventually(() => page.locator('.node-panel [data-section="error"]').textContent()).toContain('400');
    expect(await button(page, 'skip').isVisible()).toBe(true);
    await page.screenshot({ path: resultPath('run-needs-operator.png'), fullPage: true });

    partnerUp = true;
    await button(page, 'retry').click();
    await eventually(() => statusOf(page)).toBe('completed');
    expect(await nodeStatus(page, 'call')).toBe('completed');
    expect(await page.locator('.node-panel .facts').first().textContent()).toContain('Attempts2');
    expect((await eventsOf(world, runId)).some((e) => e.type === 'node.retrying' && e.nodeId === 'call')).toBe(true);
  });

  it('keeps what an operator typed in an approval while the run is paused and resumed, and shows what the form data got wrong', async () => {
    const runId = await start(world, 'ui-sign-off');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => nodeStatus(page, 'sign')).toBe('waiting');
    await page.locator('.dag-node[data-node-id="sign"]').click();
    await page.fill('#approval-data', '{"amount": ');
    await page.click('.approval button[data-action="approve"]');
    await eventually(() => page.locator('.approval .form-message').textContent()).toBe('The form data is not valid JSON.');
    // Another operator pauses the run, then resumes it, while this one types: the form stays as typed, and
    // keeps the keyboard.
    await page.click('#approval-comment');
    await page.keyboard.type('Checked');
    await world.request('POST', `/api/v1/runs/${runId}/pause`);
    await eventually(() => statusOf(page)).toBe('paused');
    await page.keyboard.type(' the');
    await world.request('POST', `/api/v1/runs/${runId}/resume`);
    await eventually(() => statusOf(page)).toBe('running');
    await page.keyboard.type(' invoice');
    expect(await page.inputValue('#approval-comment')).toBe('Checked the invoice');
    expect(await page.inputValue('#approval-data')).toBe('{"amount": ');
    // Valid JSON the form schema refuses: the field and why, beside the form, and the old message gone.
    await page.fill('#approval-data', '{"amount": "lots"}');
    await page.click('.approval button[data-action="approve"]');
    await eventually(() => page.locator('.approval .form-message').textContent()).toContain('amount');
    expect(await page.locator('.approval .form-message').textContent()).not.toContain('not valid JSON');
    await page.fill('#approval-data', '{"amount": 12.5}');
    await page.click('.approval button[data-action="approve"]');
    await eventually(() => statusOf(page)).toBe('completed');
    expect((await stateOf(world, runId)).output).toBe(12.5);
  });

  it('rejects an approval from its form without its form data, which only an approval needs', async () => {
    const runId = await start(world, 'ui-sign-off');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => nodeStatus(page, 'sign')).toBe('waiting');
    await page.locator('.dag-node[data-node-id="sign"]').click();
    await page.click('.approval button[data-action="reject"]');
    await eventually(() => statusOf(page)).toBe('completed');
    expect(nodeOf(await stateOf(world, runId), 'sign').output).toMatchObject({ decision: 'reject', data: null });
  });

  it('skips a failed node from its panel: its dependents run and the run completes', async () => {
    partnerUp = false;
    const runId = await start(world, 'ui-fragile');
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await eventually(() => statusOf(page)).toBe('waiting_for_operator');
    await page.locator('.dag-node[data-node-id="call"]').click();
    await button(page, 'skip').click();
    await eventually(() => statusOf(page)).toBe('completed');
    expect(await nodeStatus(page, 'call')).toBe('skipped');
    expect(await page.locator('.dag-node[data-node-id="call"]').textContent()).toContain('by operator');
    expect(await nodeStatus(page, 'after')).toBe('completed');
    await eventually(() => page.locator('.notices').textContent()).toContain('Skipped “Call partner”');
  });
});
