import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { loadGemmSync } from './gemm-select.js';
import { type TaskArray, TASK_NAMES, TASKS } from './parallel-tasks.js';
import { CTRL, FRAME, KIND, type PoolMessage, spinWhile, type WorkerInit } from './pool.js';

/**
 * Worker entry of the kernel pool (pool.ts). Loads its own GEMM (a wasm instance cannot be shared between
 * threads), says ready, then loops: sleep on the sequence word, pick up new buffers, run its part of the
 * task, count down. It never returns to its event loop until told to stop.
 */
const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl);
const frame = new Float64Array(init.frame);
const { gemm } = loadGemmSync(init.gemm);

interface Known {
  readonly buffer: SharedArrayBuffer;
  off: number;
  len: number;
  kind: number;
  view: TaskArray | null;
}
const buffers = new Map<number, Known>();

function drain(): void {
  for (let m = receiveMessageOnPort(init.port); m !== undefined; m = receiveMessageOnPort(init.port)) {
    const msg = m.message as PoolMessage;
    if ('reg' in msg) buffers.set(msg.reg, { buffer: msg.buffer, off: -1, len: -1, kind: -1, view: null });
    else buffers.delete(msg.drop);
  }
}

/** The view for array slot i; the last view per buffer is cached (most calls reuse the same tensors). */
function arrayAt(i: number): TaskArray {
  const o = FRAME.ARRAYS + 4 * i;
  const id = frame[o], off = frame[o + 1], len = frame[o + 2], kind = frame[o + 3];
  const k = buffers.get(id);
  if (k === undefined) throw new Error(`unknown buffer ${id}`);
  if (k.view === null || k.off !== off || k.len !== len || k.kind !== kind) {
    k.view = kind === KIND.I32 ? new Int32Array(k.buffer, off, len)
      : kind === KIND.U8 ? new Uint8Array(k.buffer, off, len)
        : kind === KIND.F64 ? new Float64Array(k.buffer, off, len) : new Float32Array(k.buffer, off, len);
    k.off = off;
    k.len = len;
    k.kind = kind;
  }
  return k.view;
}

// Read the sequence word before saying ready: the main thread may dispatch the first task right after.
let seen = Atomics.load(ctrl, CTRL.SEQ);
parentPort!.postMessage('ready');
for (;;) {
  // Re-check after every wake: the main thread's notify for task n can arrive after this worker already saw
  // n through the value check, finished it and went back to sleep — a wake with nothing new to do.
  spinWhile(ctrl, CTRL.SEQ, seen, Atomics.load(ctrl, CTRL.SPIN));
  let seq = Atomics.load(ctrl, CTRL.SEQ);
  while (seq === seen) {
    Atomics.wait(ctrl, CTRL.SEQ, seen);
    seq = Atomics.load(ctrl, CTRL.SEQ);
  }
  if (Atomics.load(ctrl, CTRL.STOP) !== 0) break;
  try {
    // The main thread waits for every part before the next task, so the sequence advances one at a time.
    if (seq !== ((seen + 1) | 0)) throw new Error(`task sequence jumped from ${seen} to ${seq}`);
    drain();
    const task = TASKS[TASK_NAMES[frame[FRAME.CODE]]];
    const arrays: TaskArray[] = [];
    for (let i = 0; i < frame[FRAME.N_ARRAYS]; i++) arrays.push(arrayAt(i));
    const nums: number[] = [];
    for (let i = 0; i < frame[FRAME.N_NUMS]; i++) nums.push(frame[FRAME.NUMS + i]);
    task.run(arrays, nums, frame[FRAME.BOUNDS + init.index], frame[FRAME.BOUNDS + init.index + 1], gemm);
  } catch (e) {
    init.port.postMessage(`thread ${init.index}: ${e instanceof Error ? e.message : String(e)}`);
    Atomics.store(ctrl, CTRL.ERR, 1);
  }
  seen = seq;
  Atomics.store(ctrl, CTRL.DONE + init.index, seq);
  Atomics.notify(ctrl, CTRL.DONE + init.index);
}
