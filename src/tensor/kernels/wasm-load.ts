import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts kernel `name`: `<package>/dist/wasm/<name>.wasm`, the same from `src/` and `dist/`. */
export function wasmKernelPath(name: string): string {
  return fileURLToPath(new URL(`../../../dist/wasm/${name}.wasm`, import.meta.url));
}

/** A module's exports with its own memory, or null if the file is missing or this engine lacks SIMD. */
export function instantiateWasmSync<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  if (!WebAssembly.validate(bytes)) return null;
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as T;
}

/**
 * Views of an instance's growable memory: `ensure(bytes)` grows it to at least `bytes` and returns views that
 * are valid until the next growth.
 */
export function wasmHeap(memory: WebAssembly.Memory): (bytes: number) => { i32: Int32Array; f32: Float32Array } {
  let views = { i32: new Int32Array(memory.buffer), f32: new Float32Array(memory.buffer) };
  return (bytes) => {
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    if (views.i32.buffer !== memory.buffer) views = { i32: new Int32Array(memory.buffer), f32: new Float32Array(memory.buffer) };
    return views;
  };
}

export const align16 = (x: number): number => (x + 15) & ~15;
