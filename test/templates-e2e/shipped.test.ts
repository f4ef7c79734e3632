import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunEvent } from '../../src/workflows/state.js';
import { command, finish, nodeOf, start, trace, waitFor } from '../support/run-control.js';
import { expectGapless, runToEnd, upload } from '../support/runs.js';
import { InFlight, json, startUpstream, type Received } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** The secrets the shipped templates read, as a worker would have them from WEFT_SECRET_<name>. */
const secrets = { notifyToken: 'notify-token-123', pagerToken: 'pager-token-456' };

/**
 * The templates shipped in templates/, run end to end: each one's base URL points at a real upstream server
 * that plays the services it talks to (a dataset API and a loader, a user directory and notification
 * channels, a ticket classifier, a pager and a help desk, a document store with OCR and a summariser, search
 * engines, a drafting service and a publisher).
 */

const shippedBase = 'http://127.0.0.1:9000';
const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

/** Every shipped template's text, by its id. */
const shipped = new Map(
  readdirSync(templatesDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => {
      const text = readFileSync(`${templatesDir}/${f}`, 'utf8');
      return [(parse(text) as { id: string }).id, text] as const;
    }),
);

/** Ids of the templates a template runs as a sub-workflow or as a map's per-item template. */
function referencedTemplates(text: string): string[] {
  const { nodes } = parse(text) as { nodes: Array<{ type: string; config?: { template?: string } }> };
  return nodes.filter((n) => (n.type === 'subworkflow' || n.type === 'map') && typeof n.config?.template === 'string').map((n) => n.config!.template!);
}

/** A shipped template's text with its services pointed at the upstream; it must use no other address. */
function pointedAt(id: string, base: string): string {
  const text = shipped.get(id);
  if (!text) throw new Error(`template "${id}" is not shipped in templates/`);
  expect(text).toContain(shippedBase);
  const replaced = text.replaceAll(shippedBase, base);
  expect(replaced).not.toContain(':9000');
  return replaced;
}

/** What the upstream saw, in arrival order, with when each request arrived. */
interface Call extends Received {
  at: number;
  json: unknown;
}

const bodyOf = (req: Received): unknown => (req.body ? JSON.parse(req.body) : undefined);
const query = (req: Received) => new URL(req.path, 'http://127.0.0.1').searchParams;

describe('shipped templates, end to end against real upstream services', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const calls: Call[] = [];
  /** OCR requests being answered, and the answers held back until the pages overlap. */
  const ocr = new InFlight();
  const ocrHeld: Array<() => void> = [];
  /** Requests to `METHOD /path` (query ignored) since `from`. */
  const to = (route: string, from = 0) => calls.slice(from).filter((c) => `${c.method} ${c.path.split('?')[0]}` === route);
  const log = (handler: (req: Received, res: ServerResponse) => void) => (req: Received, res: ServerResponse) => {
    calls.push({ ...req, at: Date.now(), json: bodyOf(req) });
    handler(req, res);
  };
  const later = (ms: number, fn: () => void) => setTimeout(fn, ms);

  // The datasets the extract step reads.
  const datasets: Record<string, unknown[]> = {
    customers: [
      { id: 'c1', email: 'Ada@Example.COM', score: '0.9' },
      { id: 'c2', email: 'bob.example.com', score: '0.8' },
      { id: 'c3', email: 'Cy@Example.org', score: 0.25 },
      { id: 'c4', email: 'dee@example.io', score: '0.05' },
      { id: 'c5', email: 'no-at-sign', score: '0.99' },
    ],
    leads: [{ id: 'l1', email: 'unknown', score: '1' }, { id: 'l2', email: '', score: '0.4' }],
  };
  const users: Record<string, unknown> = {
    u1: { id: 'u1', firstName: 'Ada', channels: ['email', 'sms', 'push'] },
    u2: { id: 'u2', firstName: 'Grace', channels: ['email', 'pigeon'] },
  };
  const tickets = ['T-100', 'T-200', 'T-300'];
  const channelStatus: Record<string, number> = { email: 200, sms: 202, push: 201 };

  beforeAll(async () => {
    const routes: Record<string, (req: Received, res: ServerResponse) => void> = {
      // data-pipeline
      'GET /datasets/customers/records': (_req, res) => json(res, 200, { records: datasets.customers, total: 5 }),
      'GET /datasets/leads/records': (_req, res) => json(res, 200, { records: datasets.leads, total: 2 }),
      'POST /loader/customers': (req, res) => json(res, 201, { inserted: (bodyOf(req) as { records: unknown[] }).records.length }),
      'POST /loader/leads': (req, res) => json(res, 201, { inserted: (bodyOf(req) as { records: unknown[] }).records.length }),
      // notification
      'GET /users/u1': (_req, res) => json(res, 200, users.u1),
      'GET /users/u2': (_req, res) => json(res, 200, users.u2),
      'POST /notify/email': (_req, res) => json(res, channelStatus.email!, { id: 'm-email', queued: true }),
      'POST /notify/sms': (_req, res) => json(res, channelStatus.sms!, { id: 'm-sms', queued: true }),
      'POST /notify/push': (_req, res) => json(res, channelStatus.push!, { id: 'm-push', queued: true }),
      'POST /notify/pigeon': (_req, res) => json(res, 400, { error: 'unsupported channel' }),
      // support-triage: the classifier scores "down" and "outage" as urgent.
      'POST /classify': (req, res) => {
        const { text } = bodyOf(req) as { text: string };
        const urgent = /\b(down|outage)\b/i.test(text);
        json(res, 200, {
          urgency: urgent ? 0.93 : 0.12,
          category: urgent ? 'outage' : 'billing',
          suggestedReply: urgent ? 'We are on it.' : 'Your invoice is in Settings → Billing.',
        });
      },
      'POST /pager': (_req, res) => json(res, 202, { incident: 'INC-1' }),
      // document-processing
      'GET /documents/D-7': (_req, res) => json(res, 200, { id: 'D-7', title: 'Lease agreement', pageCount: 3 }),
      'POST /ocr': (req, res) => {
        const { page } = bodyOf(req) as { page: number };
        ocr.enter();
        // Later pages answer sooner, so item order cannot come from arrival order.
        const answer = () => later(150 * (4 - page), () => {
          ocr.leave();
          json(res, 200, { page, text: `text of page ${page}` });
        });
        // Held until three pages are asked for at once (a run asking one at a time gets its answer after 2 s).
        ocrHeld.push(answer);
        if (ocr.now === 3) ocrHeld.splice(0).forEach((release) => release());
        else {
          later(2_000, () => {
            const at = ocrHeld.indexOf(answer);
            if (at >= 0) ocrHeld.splice(at, 1)[0]!();
          });
        }
      },
      'PUT /archive/D-7': (req, res) => json(res, 201, { location: 'archive://D-7', received: bodyOf(req) }),
      'POST /summarise': (req, res) => {
        const { text, language } = bodyOf(req) as { text: string; language: string };
        json(res, 200, { summary: `${language}: ${text.split('\n').length} pages, ${text.length} characters` });
      },
      // research: each search takes a moment, so that parallel steps show as overlapping.
      'GET /search/papers': (req, res) => later(300, () => json(res, 200, { results: [{ kind: 'paper', title: `Advances in ${query(req).get('q')}` }] })),
      'GET /search/news': (req, res) => later(300, () => json(res, 200, { results: [{ kind: 'news', title: `${query(req).get('q')} this month` }, { kind: 'news', title: 'Markets react' }] })),
      'GET /wiki/search': (req, res) =>
        later(300, () => (query(req).get('q') === 'kelp farming'
          ? json(res, 404, { error: 'wiki index missing' })
          : json(res, 200, { results: [{ kind: 'wiki', title: 'Our 2023 pilot' }] }))),
      'POST /draft': (req, res) => {
        const { topic, sources } = bodyOf(req) as { topic: string; sources: unknown[] };
        json(res, 200, { title: `Brief: ${topic}`, words: 800, sourceCount: sources.length });
      },
      'POST /briefs': (_req, res) => json(res, 201, { url: 'http://127.0.0.1/briefs/1' }),
    };
    // The help desk's per-ticket routes carry the ticket id in the path.
    for (const ticket of tickets) {
      routes[`POST /tickets/${ticket}/replies`] = (_req, res) => json(res, 201, { replyId: `${ticket}-r1` });
      routes[`PATCH /tickets/${ticket}`] = (_req, res) => json(res, 200, { id: ticket, updated: true });
    }
    upstream = await startUpstream(Object.fromEntries(Object.entries(routes).map(([k, h]) => [k, log(h)])));
    world = await startWorld('pglite', { secrets });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });
  // Every request a template made went to a service the test plays: none to an unknown route.
  afterEach(() => {
    expect(upstream.received.filter((r) => !calls.some((c) => c.method === r.method && c.path === r.path)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  /** Uploads a shipped template, and every template it references (from templates/ too), pointed at the upstream. */
  async function uploadShipped(id: string): Promise<void> {
    for (const ref of referencedTemplates(shipped.get(id) ?? '')) {
      if (shipped.has(ref)) await uploadShipped(ref);
    }
    const uploaded = await upload(world, pointedAt(id, upstream.url));
    expect(uploaded.id).toBe(id);
  }

  /** The parsed JSON bodies of requests to a route since `from`. */
  const bodies = (route: string, from: number) => to(route, from).map((c) => c.json);
  /** True when every node in `first` started before any node in `first` completed: they ran side by side. */
  const overlapping = (events: RunEvent[], first: string[]) => {
    const lastStart = Math.max(...first.map((id) => events.findIndex((e) => e.type === 'node.started' && e.nodeId === id)));
    const firstEnd = events.findIndex((e) => (e.type === 'node.completed' || e.type === 'node.failed') && first.includes(e.nodeId ?? ''));
    return lastStart >= 0 && lastStart < firstEnd;
  };

  describe('data-pipeline', () => {
    beforeAll(() => uploadShipped('data-pipeline'));

    it('extracts, reshapes and splits the records, and loads only the valid ones above minScore', async () => {
      const from = calls.length;
      const { runId, state, events } = await runToEnd(world, 'data-pipeline', { source: 'customers', minScore: 0.1 });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');

      expect(to('GET /datasets/customers/records', from).map((c) => c.path)).toEqual(['/datasets/customers/records?limit=1000']);
      // Emails lower-cased, string scores made numbers, in the dataset's order.
      expect(nodeOf(state, 'transform').output).toEqual([
        { id: 'c1', email: 'ada@example.com', score: 0.9 },
        { id: 'c2', email: 'bob.example.com', score: 0.8 },
        { id: 'c3', email: 'cy@example.org', score: 0.25 },
        { id: 'c4', email: 'dee@example.io', score: 0.05 },
        { id: 'c5', email: 'no-at-sign', score: 0.99 },
      ]);
      // c2 and c5 have no @ (rejected); c4 is below minScore (held back, not rejected).
      const valid = [{ id: 'c1', email: 'ada@example.com', score: 0.9 }, { id: 'c3', email: 'cy@example.org', score: 0.25 }];
      expect(nodeOf(state, 'validate').output).toEqual({ valid, rejected: 2 });
      const loads = to('POST /loader/customers', from);
      expect(loads.map((c) => c.json)).toEqual([{ records: valid, runId }]);
      expect(loads[0]!.headers['content-type']).toBe('application/json');
      expect(nodeOf(state, 'load').output).toMatchObject({ status: 201, body: { inserted: 2 } });
      expect(state.output).toEqual({ loaded: 2, rejected: 2, status: 'completed' });
      expect(trace(events)).toEqual([
        'run.started', 'node.started:extract', 'node.completed:extract', 'node.started:transform', 'node.completed:transform',
        'node.started:validate', 'node.completed:validate', 'node.started:load', 'node.completed:load', 'run.completed',
      ]);
    });

    it('skips the load when no record is valid, and says so in its output', async () => {
      const from = calls.length;
      const { state } = await runToEnd(world, 'data-pipeline', { source: 'leads', minScore: 0 });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(to('GET /datasets/leads/records', from)).toHaveLength(1);
      expect(nodeOf(state, 'validate').output).toEqual({ valid: [], rejected: 2 });
      expect(nodeOf(state, 'load').status).toBe('skipped');
      expect(to('POST /loader/leads', from)).toEqual([]);
      expect(state.output).toEqual({ loaded: 0, rejected: 2, status: 'skipped' });
    });

    // minScore's schema default (0) applies when the input leaves it out.
    it('loads every record with an @ when minScore is left out (its schema default is 0)', async () => {
      const from = calls.length;
      const { runId, state } = await runToEnd(world, 'data-pipeline', { source: 'customers' });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      const valid = [
        { id: 'c1', email: 'ada@example.com', score: 0.9 },
        { id: 'c3', email: 'cy@example.org', score: 0.25 },
        { id: 'c4', email: 'dee@example.io', score: 0.05 },
      ];
      expect(bodies('POST /loader/customers', from)).toEqual([{ records: valid, runId }]);
      expect(state.output).toEqual({ loaded: 3, rejected: 2, status: 'completed' });
    });
  });

  describe('notification', () => {
    beforeAll(() => uploadShipped('notification'));
    const message = 'Your export is ready.';
    const sent = (firstName: string, to: string, attempt: number) => ({ subject: `Hello ${firstName}`, text: message, to, attempt });

    it('without sendAt, skips the wait and sends the rendered message to every channel the user chose', async () => {
      const from = calls.length;
      const { state, events } = await runToEnd(world, 'notification', { userId: 'u1', message });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(nodeOf(state, 'wait-until').status).toBe('skipped');
      expect(nodeOf(state, 'render').output).toEqual({ subject: 'Hello Ada', text: message });
      expect(to('GET /users/u1', from)).toHaveLength(1);
      // One POST per channel; `attempt` is the channel's index in the user's list.
      expect(bodies('POST /notify/email', from)).toEqual([sent('Ada', 'u1', 0)]);
      expect(bodies('POST /notify/sms', from)).toEqual([sent('Ada', 'u1', 1)]);
      expect(bodies('POST /notify/push', from)).toEqual([sent('Ada', 'u1', 2)]);
      // The channels' answers, in the user's channel order.
      expect(state.output).toEqual({ channels: [200, 202, 201] });
      expect(trace(events)).toContain('node.skipped:wait-until');
    });

    it('with sendAt, waits on a durable timer until then before sending', async () => {
      const from = calls.length;
      const sendAt = new Date(Date.now() + 2_000).toISOString();
      const { state, events } = await runToEnd(world, 'notification', { userId: 'u1', message, sendAt });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      const waited = nodeOf(state, 'wait-until');
      expect(waited.status).toBe('completed');
      expect(Date.parse((waited.output as { waitedUntil: string }).waitedUntil)).toBeGreaterThanOrEqual(Date.parse(sendAt));
      expect(trace(events)).toContain('node.waiting:wait-until');
      const sends = [...to('POST /notify/email', from), ...to('POST /notify/sms', from), ...to('POST /notify/push', from)];
      expect(sends.map((c) => c.json)).toEqual([sent('Ada', 'u1', 0), sent('Ada', 'u1', 1), sent('Ada', 'u1', 2)]);
      for (const call of sends) expect(call.at).toBeGreaterThanOrEqual(Date.parse(sendAt));
      expect(state.output).toEqual({ channels: [200, 202, 201] });
    });

    it('a channel that refuses does not fail the run (onError: continue); the other channels are still sent', async () => {
      const from = calls.length;
      const { state } = await runToEnd(world, 'notification', { userId: 'u2', message });
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(bodies('POST /notify/email', from)).toEqual([sent('Grace', 'u2', 0)]);
      expect(bodies('POST /notify/pigeon', from)).toEqual([sent('Grace', 'u2', 1)]);
      expect(nodeOf(state, 'send')).toMatchObject({ status: 'failed', error: { type: 'MapItemFailed', message: expect.stringContaining('item 1 failed') as unknown } });
      // With the map failed there is no list of statuses to report.
      expect(state.output).toEqual({});
    });

    it('sends each channel the bearer token from secrets.notifyToken', async () => {
      const from = calls.length;
      await runToEnd(world, 'notification', { userId: 'u1', message });
      const sends = [...to('POST /notify/email', from), ...to('POST /notify/sms', from), ...to('POST /notify/push', from)];
      expect(sends).toHaveLength(3);
      for (const call of sends) expect(call.headers.authorization).toBe(`Bearer ${secrets.notifyToken}`);
    });
  });

  describe('support-triage', () => {
    beforeAll(() => uploadShipped('support-triage'));

    it('an urgent ticket pages on-call, sends no automatic answer and is recorded as routed to on-call', async () => {
      const from = calls.length;
      const input = { ticketId: 'T-100', subject: 'Site down', body: 'Checkout answers 502 since 09:00', customerTier: 'pro' };
      const { state, events } = await runToEnd(world, 'support-triage', input);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(bodies('POST /classify', from)).toEqual([{ text: 'Site down\nCheckout answers 502 since 09:00' }]);
      expect(nodeOf(state, 'priority').output).toBe('urgent');
      expect(bodies('POST /pager', from)).toEqual([{ ticket: 'T-100', summary: 'Site down' }]);
      expect(to('POST /tickets/T-100/replies', from)).toEqual([]);
      expect(nodeOf(state, 'auto-reply').status).toBe('skipped');
      expect(bodies('PATCH /tickets/T-100', from)).toEqual([{ priority: 'urgent', routedTo: 'on-call' }]);
      expect(state.output).toEqual({ priority: 'urgent', category: 'outage' });
      // The record step joins both branches: it starts only once both have ended.
      const t = trace(events);
      expect(t.indexOf('node.started:record')).toBeGreaterThan(Math.max(t.indexOf('node.completed:page-oncall'), t.indexOf('node.skipped:auto-reply')));
    });

    it('a normal ticket gets the suggested answer, pages no one and is recorded as auto-replied', async () => {
      const from = calls.length;
      const input = { ticketId: 'T-200', subject: 'Invoice question', body: 'Where can I download my March invoice?', customerTier: 'free' };
      const { state } = await runToEnd(world, 'support-triage', input);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(nodeOf(state, 'priority').output).toBe('normal');
      expect(bodies('POST /tickets/T-200/replies', from)).toEqual([{ text: 'Your invoice is in Settings → Billing.' }]);
      expect(to('POST /pager', from)).toEqual([]);
      expect(nodeOf(state, 'page-oncall').status).toBe('skipped');
      expect(bodies('PATCH /tickets/T-200', from)).toEqual([{ priority: 'normal', routedTo: 'auto-reply' }]);
      expect(state.output).toEqual({ priority: 'normal', category: 'billing' });
    });

    it('an enterprise customer is urgent whatever the classifier says', async () => {
      const from = calls.length;
      const input = { ticketId: 'T-300', subject: 'Invoice question', body: 'Please resend the invoice.', customerTier: 'enterprise' };
      const { state } = await runToEnd(world, 'support-triage', input);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(bodies('POST /pager', from)).toEqual([{ ticket: 'T-300', summary: 'Invoice question' }]);
      expect(to('POST /tickets/T-300/replies', from)).toEqual([]);
      expect(bodies('PATCH /tickets/T-300', from)).toEqual([{ priority: 'urgent', routedTo: 'on-call' }]);
      expect(state.output).toEqual({ priority: 'urgent', category: 'billing' });
    });

    it('pages on-call with the token from secrets.pagerToken', async () => {
      const from = calls.length;
      await runToEnd(world, 'support-triage', { ticketId: 'T-100', subject: 'Site down', body: 'Checkout is down', customerTier: 'pro' });
      const pages = to('POST /pager', from);
      expect(pages).toHaveLength(1);
      expect(pages[0]!.headers.authorization).toBe(`Bearer ${secrets.pagerToken}`);
    });
  });

  describe('research', () => {
    beforeAll(() => uploadShipped('research'));

    it('searches three sources side by side, drafts, waits for an editor and publishes what the editor approved', async () => {
      const from = calls.length;
      const runId = await start(world, 'research', { topic: 'tidal energy', editors: ['grace', 'linus'] });
      const waiting = await waitFor(world, runId, (s) => nodeOf(s, 'review').status === 'waiting');
      expect(nodeOf(waiting, 'review').waitingFor).toMatchObject({ kind: 'approval', prompt: 'Publish the brief on tidal energy?', assignees: ['grace', 'linus'] });
      expect(to('POST /briefs', from)).toEqual([]);

      const searches = [...to('GET /search/papers', from), ...to('GET /search/news', from), ...to('GET /wiki/search', from)];
      expect(searches.map((c) => Object.fromEntries(query(c)))).toEqual([{ q: 'tidal energy' }, { q: 'tidal energy', days: '30' }, { q: 'tidal energy' }]);
      expect(bodies('POST /draft', from)).toEqual([{
        topic: 'tidal energy',
        sources: [
          { kind: 'paper', title: 'Advances in tidal energy' },
          { kind: 'news', title: 'tidal energy this month' }, { kind: 'news', title: 'Markets react' },
          { kind: 'wiki', title: 'Our 2023 pilot' },
        ],
      }]);

      const decided = await command(world, runId, 'nodes/review/approve', { decision: 'approve', by: 'grace', comment: 'Ship it', data: { headline: 'Tides turn' } });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      const { state, events } = await finish(world, runId);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(bodies('POST /briefs', from)).toEqual([{ draft: { title: 'Brief: tidal energy', words: 800, sourceCount: 4 }, headline: 'Tides turn', approvedBy: 'grace' }]);
      expect(state.output).toEqual({ decision: 'approve', published: true });
      expect(overlapping(events, ['papers', 'news', 'internal'])).toBe(true);
      expectGapless(events, state.seq);
    });

    it('drafts without the wiki when it fails, and publishes nothing when the editor rejects', async () => {
      const from = calls.length;
      const runId = await start(world, 'research', { topic: 'kelp farming', editors: ['grace'] });
      const waiting = await waitFor(world, runId, (s) => nodeOf(s, 'review').status === 'waiting');
      expect(nodeOf(waiting, 'internal')).toMatchObject({ status: 'failed', error: { type: 'HttpClientError' } });
      expect(bodies('POST /draft', from)).toEqual([{
        topic: 'kelp farming',
        sources: [{ kind: 'paper', title: 'Advances in kelp farming' }, { kind: 'news', title: 'kelp farming this month' }, { kind: 'news', title: 'Markets react' }],
      }]);
      const decided = await command(world, runId, 'nodes/review/approve', { decision: 'reject', by: 'grace', comment: 'Too thin' });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      const { state } = await finish(world, runId);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(nodeOf(state, 'review').output).toMatchObject({ decision: 'reject', by: 'grace', comment: 'Too thin' });
      expect(nodeOf(state, 'publish').status).toBe('skipped');
      expect(to('POST /briefs', from)).toEqual([]);
      expect(state.output).toEqual({ decision: 'reject', published: false });
    });
  });

  describe('document-processing', () => {
    beforeAll(() => uploadShipped('document-processing'));

    it('fetches the metadata, extracts every page in parallel (results in page order), joins and summarises them', async () => {
      const from = calls.length;
      ocr.peak = 0;
      const runId = await start(world, 'document-processing', { documentId: 'D-7' });
      const { state } = await finish(world, runId);
      expect(to('GET /documents/D-7', from)).toHaveLength(1);
      const pages = bodies('POST /ocr', from);
      expect(pages).toHaveLength(3);
      expect(pages).toEqual(expect.arrayContaining([1, 2, 3].map((page) => ({ documentId: 'D-7', page }))));
      // All three pages were asked for before any was answered.
      expect(ocr.peak).toBe(3);
      expect(nodeOf(state, 'pages')).toMatchObject({ status: 'completed' });
      expect((nodeOf(state, 'pages').output as Array<{ body: { page: number } }>).map((o) => o.body.page)).toEqual([1, 2, 3]);
      const text = 'text of page 1\ntext of page 2\ntext of page 3';
      expect(nodeOf(state, 'text').output).toBe(text);
      // No language given: the template asks for English.
      expect(bodies('POST /summarise', from)).toEqual([{ text, language: 'en' }]);
      expect(nodeOf(state, 'summarise')).toMatchObject({ status: 'completed', output: { body: { summary: `en: 3 pages, ${text.length} characters` } } });
    });

    it('files the summary through the archive-document sub-workflow and completes', async () => {
      const from = calls.length;
      const runId = await start(world, 'document-processing', { documentId: 'D-7', language: 'en' });
      const { state } = await finish(world, runId);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(state.output).toEqual({ pages: 3, summary: 'en: 3 pages, 44 characters' });
      expect(bodies('PUT /archive/D-7', from)).toEqual([{ title: 'Lease agreement', summary: 'en: 3 pages, 44 characters' }]);
      expect(nodeOf(state, 'file').output).toEqual({ location: 'archive://D-7' });
    });
  });
});
