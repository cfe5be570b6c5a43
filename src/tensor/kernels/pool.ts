import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type GemmChoice, loadGemm } from './gemm-select.js';
import { type TaskArray, type TaskName, TASK_NAMES, TASKS } from './parallel-tasks.js';
import type { GemmFn } from './types.js';

/**
 * A synchronous fork-join pool over worker_threads. The main thread is thread 0 and does its share; workers
 * sleep in Atomics.wait on a shared control word, so dispatch costs a futex wake (~15 µs), not a message
 * round trip, and the Kernels interface stays synchronous.
 *
 * Arrays reach the workers as (buffer id, byte offset, length, kind) in a shared frame. Each
 * SharedArrayBuffer is posted to every worker once, on first use; workers pick those messages up with
 * receiveMessageOnPort before decoding a task, and forget a buffer once the main thread has garbage-collected
 * it. Arrays that are not in shared memory are staged through per-argument shared buffers (copied in, and
 * copied back if the task writes them).
 */
/** Control words: the task sequence number, stop and error flags, and per-thread "done up to seq" slots. */
export const CTRL = { SEQ: 0, STOP: 1, ERR: 2, SPIN: 3, DONE: 4 } as const;
/** Up to 16 arrays (4 slots each) and 24 numbers per task. */
export const FRAME = { CODE: 0, N_ARRAYS: 1, N_NUMS: 2, ARRAYS: 4, NUMS: 68, BOUNDS: 92, LENGTH: 92 + 65 } as const;
export const KIND = { F32: 0, I32: 1, U8: 2, F64: 3 } as const;
export const MAX_THREADS = 64;
const MAX_ARRAYS = (FRAME.NUMS - FRAME.ARRAYS) / 4, MAX_NUMS = FRAME.BOUNDS - FRAME.NUMS;
/** How long a waiting thread spins before it sleeps (see spinWhile). */
export const AUTO_SPIN_MICROS = 500;
/** How often 'auto' looks at the load average again. */
const AUTO_SPIN_CHECK_MS = 1000;

/**
 * 'auto': spin (AUTO_SPIN_MICROS) while the 1-minute load average leaves a core per thread of ours, sleep at
 * once when the machine is oversubscribed, where a spinning thread takes CPU from the one it waits for.
 */
export type SpinChoice = number | 'auto';

function autoSpin(threads: number): number {
  return loadavg()[0] <= Math.max(threads, availableParallelism()) + 0.5 ? AUTO_SPIN_MICROS : 0;
}
/** A part that takes longer than this is reported as a stuck worker instead of hanging forever. */
const STUCK_MS = 300_000;

export interface WorkerInit {
  readonly index: number;
  readonly ctrl: SharedArrayBuffer;
  readonly frame: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly gemm: GemmChoice;
}

/** Messages to a worker's port. */
export type PoolMessage = { readonly reg: number; readonly buffer: SharedArrayBuffer } | { readonly drop: number };

export interface Pool {
  readonly threads: number;
  readonly closed: boolean;
  readonly gemm: GemmFn;
  readonly gemmKind: 'wasm' | 'scalar';
  /** Part boundaries for the next run: threads + 1 non-decreasing values, filled by the caller. */
  readonly bounds: number[];
  /** Run `name` on parts [bounds[t], bounds[t+1]), part 0 on this thread; returns when all are done. */
  run(name: TaskName, arrays: readonly TaskArray[], nums: readonly number[]): void;
  /**
   * Run all of `name`, parts [0, total), on worker 1 while this thread goes on (threads ≥ 2; every array in
   * shared memory). The next run(), start() or join() waits for it first, so tasks still run one at a time.
   */
  start(name: TaskName, arrays: readonly TaskArray[], nums: readonly number[], total: number): void;
  /** Wait for the task start() left running, if any. */
  join(): void;
  close(): Promise<void>;
}

export async function createPool(threads: number, gemmChoice: GemmChoice, spin: SpinChoice = 'auto'): Promise<Pool> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
  }
  const { gemm, kind: gemmKind } = await loadGemm(gemmChoice);
  const ctrlBuf = new SharedArrayBuffer(4 * (CTRL.DONE + MAX_THREADS)), frameBuf = new SharedArrayBuffer(FRAME.LENGTH * 8);
  const ctrl = new Int32Array(ctrlBuf), frame = new Float64Array(frameBuf);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  try {
    for (let index = 1; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      ports.push(port1);
      const init: WorkerInit = { index, ctrl: ctrlBuf, frame: frameBuf, port: port2, gemm: gemmChoice };
      const w = spawn(init, port2);
      workers.push(w);
    }
    await Promise.all(workers.map((w) => ready(w)));
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  // Idle workers must not keep the process alive; close() is still the clean way out.
  for (const w of workers) w.unref();

  const ids = new WeakMap<SharedArrayBuffer, number>();
  let nextId = 1;
  const forget = new FinalizationRegistry<number>((id) => {
    for (const p of ports) p.postMessage({ drop: id } satisfies PoolMessage);
  });
  const idOf = (b: SharedArrayBuffer): number => {
    let id = ids.get(b);
    if (id === undefined) {
      id = nextId++;
      ids.set(b, id);
      forget.register(b, id);
      for (const p of ports) p.postMessage({ reg: id, buffer: b } satisfies PoolMessage);
    }
    return id;
  };

  const staging: SharedArrayBuffer[] = [];
  const stage = (slot: number, a: TaskArray): TaskArray => {
    if (!staging[slot] || staging[slot].byteLength < a.byteLength) staging[slot] = new SharedArrayBuffer(a.byteLength);
    const s = a instanceof Int32Array ? new Int32Array(staging[slot], 0, a.length)
      : a instanceof Uint8Array ? new Uint8Array(staging[slot], 0, a.length) : new Float32Array(staging[slot], 0, a.length);
    s.set(a);
    return s;
  };

  const bounds = new Array<number>(threads + 1).fill(0);
  let closed = false;

  // The spin time lives in a control word, so workers follow changes; 'auto' re-reads the load now and then.
  let spinCheckedAt = -Infinity;
  const updateSpin = (): void => {
    if (spin !== 'auto') return;
    const now = performance.now();
    if (now - spinCheckedAt < AUTO_SPIN_CHECK_MS) return;
    spinCheckedAt = now;
    Atomics.store(ctrl, CTRL.SPIN, autoSpin(threads));
  };
  if (spin !== 'auto') Atomics.store(ctrl, CTRL.SPIN, Math.max(0, Math.round(spin)));

  /** Write the task frame and wake the workers; returns the task's sequence number. */
  const dispatch = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[], local: TaskArray[]): { seq: number; staged: boolean } => {
    if (closed) throw new Error('worker kernels: used after close()');
    updateSpin();
    if (arrays.length > MAX_ARRAYS || nums.length > MAX_NUMS) throw new Error(`worker kernels: ${name} has too many arguments`);
    let staged = false;
    frame[FRAME.CODE] = TASK_NAMES.indexOf(name);
    frame[FRAME.N_ARRAYS] = arrays.length;
    frame[FRAME.N_NUMS] = nums.length;
    for (let i = 0; i < arrays.length; i++) {
      let a = arrays[i];
      if (!(a.buffer instanceof SharedArrayBuffer)) {
        a = stage(i, a);
        staged = true;
      }
      local.push(a);
      const o = FRAME.ARRAYS + 4 * i;
      frame[o] = idOf(a.buffer as SharedArrayBuffer);
      frame[o + 1] = a.byteOffset;
      frame[o + 2] = a.length;
      frame[o + 3] = a instanceof Int32Array ? KIND.I32 : a instanceof Uint8Array ? KIND.U8 : a instanceof Float64Array ? KIND.F64 : KIND.F32;
    }
    for (let i = 0; i < nums.length; i++) frame[FRAME.NUMS + i] = nums[i];
    for (let t = 0; t <= threads; t++) frame[FRAME.BOUNDS + t] = bounds[t];
    const seq = (Atomics.add(ctrl, CTRL.SEQ, 1) + 1) | 0;
    Atomics.notify(ctrl, CTRL.SEQ);
    return { seq, staged };
  };

  /** Wait for every worker to finish task `seq`; throws a worker's error. */
  const finish = (name: TaskName, seq: number): void => {
    const spinMicros = Atomics.load(ctrl, CTRL.SPIN);
    for (let t = 1; t < threads; t++) waitDone(ctrl, t, seq, name, spinMicros);
    if (Atomics.load(ctrl, CTRL.ERR) !== 0) {
      Atomics.store(ctrl, CTRL.ERR, 0);
      const messages = ports.map((p) => receiveMessageOnPort(p)?.message).filter((m) => m !== undefined);
      throw new Error(`worker kernels: ${name} failed in a worker: ${messages.join('; ')}`);
    }
  };

  let pending: { name: TaskName; seq: number } | null = null;
  const join = (): void => {
    if (pending === null) return;
    const { name, seq } = pending;
    pending = null;
    finish(name, seq);
  };

  const run = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[]): void => {
    join();
    const task = TASKS[name];
    const local: TaskArray[] = [];
    const { seq, staged } = dispatch(name, arrays, nums, local);
    let mainError: unknown;
    try {
      task.run(local, nums, bounds[0], bounds[1], gemm);
    } catch (e) {
      mainError = e;
    }
    finish(name, seq);
    if (mainError !== undefined) throw mainError;
    if (staged) {
      for (const o of task.outputs) {
        if (local[o] !== arrays[o]) (arrays[o] as Float32Array).set(local[o] as Float32Array);
      }
    }
  };

  const start = (name: TaskName, arrays: readonly TaskArray[], nums: readonly number[], total: number): void => {
    join();
    if (threads < 2) throw new Error('worker kernels: start() needs a worker thread');
    if (arrays.some((a) => !(a.buffer instanceof SharedArrayBuffer))) throw new Error(`worker kernels: ${name} in the background needs shared arrays`);
    bounds[0] = 0;
    bounds[1] = 0;
    for (let t = 2; t <= threads; t++) bounds[t] = total;
    pending = { name, seq: dispatch(name, arrays, nums, []).seq };
  };

  return {
    threads,
    get closed() {
      return closed;
    },
    gemm,
    gemmKind,
    bounds,
    run,
    start,
    join,
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, CTRL.STOP, 1);
      Atomics.add(ctrl, CTRL.SEQ, 1);
      Atomics.notify(ctrl, CTRL.SEQ);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Spin until ctrl[slot] !== value or `micros` have passed; true if the value changed. A fork-join step
 * issues kernels back to back, so the other side usually answers within microseconds, while a futex sleep
 * and wake-up costs tens of microseconds (more when the hypervisor parks an idle vCPU).
 */
export function spinWhile(ctrl: Int32Array, slot: number, value: number, micros: number): boolean {
  if (micros <= 0) return false;
  const end = performance.now() + micros / 1000;
  for (;;) {
    for (let i = 0; i < 64; i++) if (Atomics.load(ctrl, slot) !== value) return true;
    if (performance.now() > end) return false;
  }
}

/** Block until worker t reports task `seq` done; each worker acknowledges in its own slot. */
function waitDone(ctrl: Int32Array, t: number, seq: number, name: string, spinMicros: number): void {
  if (Atomics.load(ctrl, CTRL.DONE + t) !== seq) spinWhile(ctrl, CTRL.DONE + t, Atomics.load(ctrl, CTRL.DONE + t), spinMicros);
  const start = Date.now();
  for (let d = Atomics.load(ctrl, CTRL.DONE + t); d !== seq; d = Atomics.load(ctrl, CTRL.DONE + t)) {
    if (Atomics.wait(ctrl, CTRL.DONE + t, d, 1000) === 'timed-out' && Date.now() - start > STUCK_MS) {
      throw new Error(`worker kernels: thread ${t} has not finished ${name} after ${STUCK_MS / 1000} s`);
    }
  }
}

/**
 * Compiled code runs worker.js next to this file. From TypeScript sources (tests, `tsx`), Node 20 does not
 * apply the parent's --import loader to a worker's entry module, so the worker registers tsx first.
 */
function spawn(init: WorkerInit, port: MessagePort): Worker {
  const options = { workerData: init, transferList: [port] };
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL('./worker.ts', import.meta.url);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

function ready(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(new Error(`worker kernels: a worker failed to start: ${e.message}`, { cause: e }));
    w.once('error', onError);
    w.once('exit', (code) => reject(new Error(`worker kernels: a worker exited during start-up (code ${code})`)));
    w.once('message', () => {
      w.off('error', onError);
      w.removeAllListeners('exit');
      resolve();
    });
  });
}
