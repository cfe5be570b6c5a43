import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { z } from 'zod';
import { DataError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/write-atomic.js';

/**
 * A small container for named numeric arrays with a JSON header: fitted encoder states and S / M matrices.
 *
 *   8 bytes  "LMMRARR1"
 *   4 bytes  header length H (uint32 little-endian)
 *   H bytes  JSON header {meta, arrays: [{name, dtype, length, offset}]}
 *   padding to a multiple of 8, then the arrays (little-endian, each at an 8-aligned offset from here)
 *
 * Readable without lmmrec: numpy can `np.frombuffer(buf, dtype, count, offset)` each array from the header.
 */
export type NumericArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const MAGIC = 'LMMRARR1';
const DTYPES = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;
type DType = keyof typeof DTYPES;

const Header = z.strictObject({
  meta: z.record(z.string(), z.unknown()),
  arrays: z.array(z.strictObject({
    name: z.string(),
    dtype: z.enum(['f32', 'f64', 'i32', 'u8']),
    length: z.int().nonnegative(),
    offset: z.int().nonnegative(),
  })),
});

export interface ArrayBundle {
  meta: Record<string, unknown>;
  arrays: Record<string, NumericArray>;
}

function dtypeOf(a: NumericArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export function packArrays(bundle: ArrayBundle): Uint8Array {
  if (endianness() !== 'LE') throw new Error('array files are little-endian; big-endian hosts are not supported');
  let offset = 0;
  const entries = Object.entries(bundle.arrays).map(([name, a]) => {
    const e = { name, dtype: dtypeOf(a), length: a.length, offset };
    offset = align8(offset + a.byteLength);
    return e;
  });
  const header = new TextEncoder().encode(JSON.stringify({ meta: bundle.meta, arrays: entries }));
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  entries.forEach((e) => {
    const a = bundle.arrays[e.name];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + e.offset);
  });
  return out;
}

/** Parse a container; `where` names the file (or store row) in errors. Arrays are copies, safely aligned. */
export function unpackArrays(bytes: Uint8Array, where: string): ArrayBundle {
  const bad = (problem: string): DataError => new DataError({ file: where }, problem);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad(`not an lmmrec array file (expected magic ${MAGIC})`);
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hlen > bytes.length) throw bad('truncated header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch (e) {
    throw bad(`header is not JSON: ${(e as Error).message}`);
  }
  const r = Header.safeParse(parsed);
  if (!r.success) throw bad(`bad header: ${r.error.issues[0]?.message ?? 'invalid'}`);
  const dataStart = align8(12 + hlen);
  const arrays: Record<string, NumericArray> = {};
  for (const e of r.data.arrays) {
    const Ctor = DTYPES[e.dtype];
    const start = dataStart + e.offset, end = start + e.length * Ctor.BYTES_PER_ELEMENT;
    if (end > bytes.length) throw bad(`array "${e.name}" runs past the end of the file (truncated?)`);
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(start, end));
    arrays[e.name] = new Ctor(copy.buffer);
  }
  return { meta: r.data.meta, arrays };
}

/** Write atomically (temp file + rename), so a crash never leaves a half-written file behind. */
export async function writeArrayFile(path: string, bundle: ArrayBundle): Promise<void> {
  await writeFileAtomic(path, packArrays(bundle));
}

export async function readArrayFile(path: string): Promise<ArrayBundle> {
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new DataError({ file: path }, e.code === 'ENOENT' ? 'file not found' : e.message);
  });
  return unpackArrays(bytes, path);
}
