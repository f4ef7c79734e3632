import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEntry } from '../../src/realtime/rooms/model.js';
import type { RunState } from '../../src/workflows/state.js';
import { serveWorld } from '../support/http-server.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';
import { TestSocket } from '../support/ws-client.js';

const template = {
  id: 'review', name: 'Review',
  nodes: [
    { id: 'draft', type: 'transform', config: { value: 'a draft' } },
    { id: 'sign', type: 'approval', needs: ['draft'], config: { prompt: 'Publish?', assignees: ['dana', 'role:owner'] } },
  ],
  output: '{{ nodes.sign.output.decision }}',
};

async function waitingRun(world: World): Promise<string> {
  const res = await world.request('POST', '/api/v1/templates/review/runs', { input: {} });
  const { runId } = (await res.json()) as { runId: string };
  for (let i = 0; i < 100; i++) {
    const state = (await (await world.request('GET', `/api/v1/runs/${runId}`)).json()) as RunState;
    if (state.nodes.find((n) => n.id === 'sign')?.status === 'waiting') return runId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the approval never started waiting');
}

describe('run rooms', () => {
  let world: World;
  let server: Awaited<ReturnType<typeof serveWorld>>;
  beforeAll(async () => {
    world = await startWorld();
    server = await serveWorld(world);
    await upload(world, template);
  });
  afterAll(async () => {
    await server?.close();
    await world?.close();
  });

  async function join(runId: string, id: string, role: 'owner' | 'approver' | 'viewer') {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'join', runId, participant: { id, name: id.toUpperCase(), role } });
    await socket.until((m) => m.some((x) => x.type === 'presence' && x.runId === runId));
    return socket;
  }
  const entries = (socket: TestSocket) => socket.messages.flatMap((m) => (m.type === 'room' ? [m.entry] : []));

  it('shows presence, messages and hand-offs to everyone in the room', async () => {
    const runId = await waitingRun(world);
    const ana = await join(runId, 'ana', 'viewer');
    const bo = await join(runId, 'bo', 'approver');
    const presence = bo.messages.find((m) => m.type === 'presence');
    expect(presence?.type === 'presence' && presence.participants.map((p) => p.id).sort()).toEqual(['ana', 'bo']);
    bo.send({ type: 'say', runId, text: 'looking at it' });
    bo.send({ type: 'handoff', runId, to: 'dana', reason: 'needs an editor', context: { draft: 'a draft' } });
    await ana.until((m) => m.filter((x) => x.type === 'room').length >= 4);
    expect(entries(ana).map((e) => [e.kind, e.participant.id])).toEqual([['joined', 'ana'], ['joined', 'bo'], ['message', 'bo'], ['handoff', 'bo']]);
    expect(entries(ana)[3]?.data).toEqual({ to: 'dana', reason: 'needs an editor', context: { draft: 'a draft' } });
    bo.close();
    await ana.until((m) => m.some((x) => x.type === 'room' && x.entry.kind === 'left' && x.entry.participant.id === 'bo'));
    ana.close();
  });

  it('records the leave of a client that goes as it joins after its join, so it is not left present', async () => {
    const runId = await waitingRun(world);
    const quick = await TestSocket.open(server.wsUrl);
    quick.send({ type: 'join', runId, participant: { id: 'quick', role: 'viewer' } });
    quick.close();
    const recordOf = async () => ((await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] }).items;
    await expect.poll(async () => (await recordOf()).map((e) => [e.kind, e.participant.id])).toEqual([['joined', 'quick'], ['left', 'quick']]);
    const later = await join(runId, 'later', 'viewer');
    const presence = later.messages.find((m) => m.type === 'presence');
    expect(presence?.type === 'presence' && presence.participants.map((p) => p.id)).toEqual(['later']);
    later.close();
  });

  it('records what a client says right after joining after its join, without waiting for presence', async () => {
    const runId = await waitingRun(world);
    const eager = await TestSocket.open(server.wsUrl);
    eager.send({ type: 'join', runId, participant: { id: 'dana', role: 'approver' } });
    eager.send({ type: 'say', runId, text: 'first words' });
    eager.send({ type: 'decide', runId, nodeId: 'sign', decision: 'approve' });
    await eager.until((m) => m.some((x) => x.type === 'decided' || x.type === 'error'));
    expect(eager.messages.filter((m) => m.type === 'error')).toEqual([]);
    const record = ((await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] }).items;
    expect(record.map((e) => [e.kind, e.participant.id])).toEqual([['joined', 'dana'], ['message', 'dana'], ['decision', 'dana']]);
    eager.close();
  });

  it('keeps a participant present from two connections until both have left', async () => {
    const runId = await waitingRun(world);
    const firstTab = await join(runId, 'eve', 'approver');
    const secondTab = await join(runId, 'eve', 'approver');
    firstTab.close();
    await secondTab.until((m) => m.some((x) => x.type === 'room' && x.entry.kind === 'left' && x.entry.participant.id === 'eve'));
    const presentTo = async (id: string) => {
      const socket = await join(runId, id, 'viewer');
      const presence = socket.messages.find((m) => m.type === 'presence');
      socket.close();
      return presence?.type === 'presence' ? presence.participants.map((p) => p.id).sort() : [];
    };
    expect(await presentTo('gus')).toEqual(['eve', 'gus']);
    secondTab.close();
    const recordOf = async () => ((await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] }).items;
    await expect.poll(async () => (await recordOf()).filter((e) => e.kind === 'left').length).toBe(3);
    expect(await presentTo('hal')).toEqual(['hal']);
  });

  it('lets only those the approval is assigned to decide it, over the socket', async () => {
    const runId = await waitingRun(world);
    const viewer = await join(runId, 'vic', 'viewer');
    const stranger = await join(runId, 'sam', 'approver');
    const dana = await join(runId, 'dana', 'approver');
    for (const socket of [viewer, stranger]) {
      socket.send({ type: 'decide', runId, nodeId: 'sign', decision: 'approve' });
      await socket.until((m) => m.some((x) => x.type === 'error' && x.code === 'forbidden'));
    }
    dana.send({ type: 'decide', runId, nodeId: 'sign', decision: 'approve', comment: 'ship it' });
    await dana.until((m) => m.some((x) => x.type === 'decided'));
    const done = (await (await world.request('GET', `/api/v1/runs/${runId}/result?wait=30`)).json()) as RunState;
    expect(done.status).toBe('completed');
    expect(done.output).toBe('approve');
    expect(done.nodes.find((n) => n.id === 'sign')?.output).toMatchObject({ decision: 'approve', by: 'dana', comment: 'ship it' });
    // A second decision makes no sense any more.
    dana.send({ type: 'decide', runId, nodeId: 'sign', decision: 'reject' });
    await dana.until((m) => m.some((x) => x.type === 'error' && x.code === 'conflict'));
    [viewer, stranger, dana].forEach((s) => s.close());

    // The room's record outlives the run and replays in order.
    const record = (await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] };
    const kinds = record.items.map((e) => `${e.kind}:${e.participant.id}`);
    expect(kinds.slice(0, 4)).toEqual(['joined:vic', 'joined:sam', 'joined:dana', 'decision:dana']);
    expect(record.items.map((e) => e.id)).toEqual([...record.items.map((e) => e.id)].sort((a, b) => a - b));
    const later = (await (await world.request('GET', `/api/v1/runs/${runId}/room?after=${record.items[2]!.id}`)).json()) as { items: RoomEntry[] };
    expect(later.items[0]?.kind).toBe('decision');
  });

  it('records decisions taken over HTTP in the room too', async () => {
    const runId = await waitingRun(world);
    const member = await join(runId, 'ana', 'viewer');
    const res = await world.request('POST', `/api/v1/runs/${runId}/nodes/sign/approve`, { decision: 'reject', comment: 'not yet', by: 'lee' });
    expect(res.status).toBe(200);
    await member.until((m) => m.some((x) => x.type === 'room' && x.entry.kind === 'decision'));
    expect(entries(member).find((e) => e.kind === 'decision')).toMatchObject({ participant: { id: 'lee', role: 'owner' }, data: { nodeId: 'sign', decision: 'reject', comment: 'not yet' } });
    member.close();
  });

  it('names a decision over HTTP without `by` alike in the run and in the room', async () => {
    const runId = await waitingRun(world);
    const member = await join(runId, 'ana', 'viewer');
    const res = await world.request('POST', `/api/v1/runs/${runId}/nodes/sign/approve`, { decision: 'approve' });
    const state = (await res.json()) as RunState;
    const { by } = state.nodes.find((n) => n.id === 'sign')?.output as { by: string };
    await member.until((m) => m.some((x) => x.type === 'room' && x.entry.kind === 'decision'));
    expect(entries(member).find((e) => e.kind === 'decision')?.participant.id).toBe(by);
    member.close();
  });

  it('answers a decision taken over HTTP as taken when the room cannot record it', async () => {
    const runId = await waitingRun(world);
    // The database refuses this run's decision entries, as a database that is down would.
    await world.database.db.execute(sql`create or replace function refuse_decision() returns trigger language plpgsql as $$ begin raise exception 'room writes are down'; end $$`);
    await world.database.db.execute(sql.raw(`create trigger refuse_decision before insert on room_entries for each row
      when (new.run_id = '${runId}' and new.kind = 'decision') execute function refuse_decision()`));
    try {
      const res = await world.request('POST', `/api/v1/runs/${runId}/nodes/sign/approve`, { decision: 'approve', comment: 'go', by: 'lee' });
      expect(res.status).toBe(200);
      const state = (await res.json()) as RunState;
      expect(state.nodes.find((n) => n.id === 'sign')).toMatchObject({ status: 'completed', output: { decision: 'approve', by: 'lee', comment: 'go' } });
      // A second try is refused as one more decision, which it would be.
      expect((await world.request('POST', `/api/v1/runs/${runId}/nodes/sign/approve`, { decision: 'approve' })).status).toBe(409);
    } finally {
      await world.database.db.execute(sql`drop trigger refuse_decision on room_entries`);
    }
    const record = (await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] };
    expect(record.items.map((e) => e.kind)).toEqual([]);
  });

  it('refuses room actions before joining, bad participants, and unknown runs', async () => {
    const runId = await waitingRun(world);
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'say', runId, text: 'hi' });
    socket.send({ type: 'join', runId, participant: { id: 'x', role: 'emperor' } });
    socket.send({ type: 'join', runId: 'no-such-run', participant: { id: 'x', role: 'viewer' } });
    await socket.until((m) => m.filter((x) => x.type === 'error').length >= 3);
    const codes = socket.messages.flatMap((m) => (m.type === 'error' ? [m.code] : []));
    expect(codes.sort()).toEqual(['bad-message', 'conflict', 'not-found']);
    socket.close();
    expect((await world.request('GET', '/api/v1/runs/no-such-run/room')).status).toBe(404);
  });

  it('refuses text the room cannot record (NUL) as a bad message, at its path, and records nothing of it', async () => {
    const runId = await waitingRun(world);
    const member = await join(runId, 'ana', 'viewer');
    member.send({ type: 'say', runId, text: 'a\u0000b' });
    member.send({ type: 'handoff', runId, to: 'lee', context: { notes: ['ok', 'x\u0000'] } });
    await member.until((m) => m.filter((x) => x.type === 'error').length >= 2);
    expect(member.messages.filter((m) => m.type === 'error')).toEqual([
      expect.objectContaining({ code: 'bad-message', message: expect.stringMatching(/^text: .*U\+0000/) }),
      expect.objectContaining({ code: 'bad-message', message: expect.stringMatching(/^context\.notes\[1\]: .*U\+0000/) }),
    ]);
    const record = (await (await world.request('GET', `/api/v1/runs/${runId}/room`)).json()) as { items: RoomEntry[] };
    expect(record.items.map((e) => e.kind)).toEqual(['joined']);
    member.close();
  });
});
