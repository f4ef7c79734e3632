import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finish, start } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

// This test file's process stands for a worker on a machine set to Tokyo time, until the worker starts.
process.env.TZ = 'Asia/Tokyo';
const tokyoMidnight = new Date(2020, 0, 1).getTime();

describe('time zones in expressions', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('reads a date and time without a zone as UTC, whatever zone the worker\'s machine is set to', async () => {
    expect(tokyoMidnight).toBe(Date.UTC(2019, 11, 31, 15));
    await upload(world, {
      id: 'zone-less', name: 'Zone-less',
      nodes: [{ id: 'at', type: 'transform', config: { value: { millis: '{{ $toMillis("2020-01-01T00:00:00") }}', hour: '{{ $fromMillis(0, "[H01]") }}' } } }],
      output: '{{ nodes.at.output }}',
    });
    const { state } = await finish(world, await start(world, 'zone-less'));
    expect(state.output).toEqual({ millis: Date.UTC(2020, 0, 1), hour: '00' });
  });
});
