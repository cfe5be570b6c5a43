/**
 * Helpers shared by the benchmarks: argument lookup, medians, the load average, a kernel table that times
 * every call, and the training-step timing loop of the one-model benches. Lives in bench/lib/ so that
 * bench/run.ts, which dispatches every bench/*.ts, does not list it as a benchmark.
 */
import { loadavg } from 'node:os';
import type { Batch, BaseModel } from '../../src/models/types.js';
import type { Adam } from '../../src/tensor/adam.js';
import * as F from '../../src/tensor/fn.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { type Tape, zeroGrads } from '../../src/tensor/tape.js';
import { createRng } from '../../src/util/rng.js';

/** The value after `name` in `args` (`--steps 5` → "5"), or undefined when the flag is absent. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Median (mean of the two middle values for an even count); 0 for no values. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The 1, 5 and 15 minute load averages, one decimal each: timings on a shared machine need them beside. */
export function loadAverage(): string {
  return loadavg().map((x) => x.toFixed(1)).join(' ');
}

/**
 * The kernel table with every function timed into `ms` (by kernel name, reset by the caller); with `byShape`,
 * GEMMs are keyed by m/k/n/transA/transB instead.
 */
export function timed(k: Kernels, ms: Map<string, number>, byShape = false): Kernels {
  const out: Record<string, unknown> = { ...k };
  for (const [name, f] of Object.entries(k)) {
    if (typeof f !== 'function') continue;
    out[name] = (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return (f as (...x: unknown[]) => unknown).apply(k, a);
      } finally {
        const key = name === 'gemm' && byShape ? `gemm ${a.slice(3, 8).join('/')}` : name;
        ms.set(key, (ms.get(key) ?? 0) + performance.now() - t0);
      }
    };
  }
  return out as unknown as Kernels;
}

/** Per timed step: wall ms, CPU ms (all threads), new tape buffers, and wall ms by kernel and outside kernels. */
export interface StepTimes {
  ms: number[];
  cpu: number[];
  fresh: number[];
  perKernel: Map<string, number[]>;
  js: number[];
}

/**
 * Runs 1 warm-up step and `steps` timed training steps of `model` alone (step s trains on
 * `batches[s % batches.length]` with rng createRng(s)). `kernelMs` is the map a `timed` table writes into
 * (left empty when the kernels are not timed); it is cleared before every step.
 */
export function timeSteps(o: { model: BaseModel; tape: Tape; adam: Adam; batches: Batch[]; steps: number; kernelMs: Map<string, number> }): StepTimes {
  const { model, tape, adam, batches, kernelMs } = o;
  const t = emptyStepTimes();
  for (let s = 0; s <= o.steps; s++) {
    kernelMs.clear();
    const t0 = performance.now(), c0 = process.cpuUsage(), f0 = tape.freshAllocations;
    const ctx = { epoch: 1, step: s, rng: createRng(s) };
    tape.reset();
    zeroGrads(model.params);
    const e = model.embed(tape, ctx);
    const terms = Object.values(model.loss(tape, e, batches[s % batches.length], ctx));
    tape.backward(terms.reduce((x, n) => F.add(tape, x, n)));
    adam.step();
    if (s > 0) recordStep(t, t0, c0, tape.freshAllocations - f0, kernelMs);
  }
  return t;
}

export function emptyStepTimes(): StepTimes {
  return { ms: [], cpu: [], fresh: [], perKernel: new Map(), js: [] };
}

/** Appends the step that began at wall time `t0` and CPU usage `c0`: its times, new tape buffers and kernel times. */
export function recordStep(t: StepTimes, t0: number, c0: NodeJS.CpuUsage, fresh: number, kernelMs: Map<string, number>): void {
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  t.ms.push(wall);
  t.cpu.push((c.user + c.system) / 1000);
  t.fresh.push(fresh);
  let inKernels = 0;
  for (const [k, v] of kernelMs) {
    inKernels += v;
    t.perKernel.set(k, [...(t.perKernel.get(k) ?? []), v]);
  }
  t.js.push(wall - inKernels);
}

/** "ms/step M (min, max), CPU ms/step C, epoch ≈ S s" for an epoch of `stepsPerEpoch` steps. */
export function stepSummary(t: StepTimes, stepsPerEpoch: number): string {
  const m = median(t.ms);
  return `ms/step ${m.toFixed(0)} (min ${Math.min(...t.ms).toFixed(0)}, max ${Math.max(...t.ms).toFixed(0)}), CPU ms/step ${median(t.cpu).toFixed(0)}, ` +
    `epoch ≈ ${((m * stepsPerEpoch) / 1000).toFixed(1)} s`;
}

/** The kernels taking at least 0.5 ms per step (median wall ms, largest first) and the JS time between them. */
export function profileSummary(t: StepTimes): string {
  const rows = [...t.perKernel].map(([k, v]) => [k, median(v)] as const).sort((a, b) => b[1] - a[1]);
  return `profile (median wall ms/step): ${rows.filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}, JS outside kernels ${median(t.js).toFixed(1)}`;
}
