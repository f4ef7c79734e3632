import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { interpreterWorkflowType } from '../src/workflows/definitions.js';
import { newRunInput } from '../src/workflows/input.js';
import { withCpu, type CpuUse } from './cpu.js';
import type { Scenario } from './scenarios.js';
import type { BenchStack } from './stack.js';

/** The two ways the bench runs a scenario. */
export const sides = ['interpreter', 'hand-written'] as const;
export type Side = (typeof sides)[number];

/** One run: its workflow id and its wall time from the start request to the result, in ms. */
export interface Sample {
  id: string;
  ms: number;
}

/** Starts one run of `scenario` on `side`, waits for its result and checks it. */
export async function runOnce(stack: BenchStack, scenario: Scenario, side: Side): Promise<Sample> {
  const id = `bench-${side}-${randomUUID()}`;
  const { client } = stack.temporal;
  const startedAt = performance.now();
  let output: unknown;
  if (side === 'interpreter') {
    const input = newRunInput({
      runId: id, templateId: scenario.template.id, templateVersion: 1, template: scenario.template, input: scenario.input,
      trigger: 'api', startedAt: new Date().toISOString(),
    });
    const handle = await client.workflow.start(interpreterWorkflowType, { workflowId: id, taskQueue: stack.taskQueue, args: [input] });
    output = ((await handle.result()) as { output?: unknown }).output;
  } else {
    const { workflowType, args } = scenario.handWritten;
    const handle = await client.workflow.start(workflowType, { workflowId: id, taskQueue: stack.taskQueue, args });
    output = await handle.result();
  }
  const ms = performance.now() - startedAt;
  if (output !== scenario.expected) throw new Error(`${scenario.name} (${side}) returned ${JSON.stringify(output)}, expected ${scenario.expected}`);
  return { id, ms };
}

/** Runs of both sides, with the CPU each side used over its own runs. */
export interface Measured {
  samples: Record<Side, Sample[]>;
  cpu: Record<Side, CpuUse>;
}

/** No CPU yet, for each side. */
export const noCpu = (): Record<Side, CpuUse> => ({ interpreter: { benchMs: 0, serverMs: 0 }, 'hand-written': { benchMs: 0, serverMs: 0 } });

/** Adds `used` to a side's CPU. */
export function chargeCpu(cpu: Record<Side, CpuUse>, side: Side, used: CpuUse): void {
  cpu[side].benchMs += used.benchMs;
  cpu[side].serverMs += used.serverMs;
}

/**
 * Runs a scenario `runs` times per side, one run at a time, in rounds of one run per side. Which side goes first
 * is drawn anew each round: a fixed alternation (I H, H I, I H…) puts the same side's runs at the same places in
 * any periodic cost of the shared server (its garbage collector), and the ratio then swings with that period.
 * Warm-up rounds come first and are not kept: at least `warmup.rounds`, and until `warmup.seconds` have passed.
 */
export async function sequential(stack: BenchStack, scenario: Scenario, runs: number, warmup: { rounds: number; seconds: number }): Promise<Measured & { warmupRounds: number }> {
  const measured: Measured = { samples: { interpreter: [], 'hand-written': [] }, cpu: noCpu() };
  const orderOf = (_round: number) => (Math.random() < 0.5 ? sides : [...sides].reverse());
  const warmUntil = performance.now() + warmup.seconds * 1000;
  let round = 0;
  for (; round < warmup.rounds || performance.now() < warmUntil; round++) for (const side of orderOf(round)) await runOnce(stack, scenario, side);
  const warmupRounds = round;
  for (; round < warmupRounds + runs; round++) {
    for (const side of orderOf(round)) {
      const { result, cpu } = await withCpu(stack.serverPid, () => runOnce(stack, scenario, side));
      measured.samples[side].push(result);
      chargeCpu(measured.cpu, side, cpu);
    }
  }
  return { ...measured, warmupRounds };
}

/** A burst: every run started at once; `wallMs` runs from the first start request to the last result. */
export interface Burst {
  wallMs: number;
  samples: Sample[];
  cpu: CpuUse;
}

/** Starts `count` runs of one side at once and waits for all of them. */
export async function burst(stack: BenchStack, scenario: Scenario, side: Side, count: number): Promise<Burst> {
  const startedAt = performance.now();
  const { result: samples, cpu } = await withCpu(stack.serverPid, () => Promise.all(Array.from({ length: count }, () => runOnce(stack, scenario, side))));
  return { wallMs: performance.now() - startedAt, samples, cpu };
}
