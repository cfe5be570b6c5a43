import { openSync, closeSync, writeSync, fsyncSync, renameSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { DataError } from '../util/errors.js';

/**
 * Checkpoints in the safetensors layout (u64 LE header length, JSON header, raw little-endian tensor bytes),
 * so PyTorch/NumPy users can load our parameters with `safetensors.torch.load_file` and vice versa.
 * Only F32 is written; metadata values are strings as the format requires.
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

const Entry = z.strictObject({
  dtype: z.literal('F32'),
  shape: z.array(z.int().nonnegative()),
  data_offsets: z.tuple([z.int().nonnegative(), z.int().nonnegative()]),
});

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Write atomically: a temp file is fsync'ed then renamed, so a kill mid-write never leaves a torn checkpoint. */
export function writeSafetensors(path: string, tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): void {
  if (!LITTLE_ENDIAN) throw new Error('safetensors writer assumes a little-endian host');
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new RangeError(`tensor ${name}: shape [${t.shape}] has ${n} elements but data has ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // keep tensor data 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, headerBytes);
    for (const name of names) {
      const d = tensors[name].data;
      writeSync(fd, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function readSafetensors(path: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  const buf = readFileSync(path);
  if (buf.length < 8) throw new DataError({ file: path }, 'not a safetensors file (shorter than its 8-byte header length)');
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new DataError({ file: path }, `truncated: header claims ${n} bytes, file has ${buf.length - 8}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DataError({ file: path }, `header is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const base = 8 + n;
  const metadata = z.record(z.string(), z.string()).parse(header.__metadata__ ?? {});
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const r = Entry.safeParse(raw);
    if (!r.success) throw new DataError({ file: path, field: name }, `unsupported tensor entry: ${r.error.issues[0].message}`);
    const [start, end] = r.data.data_offsets;
    const count = r.data.shape.reduce((a, b) => a * b, 1);
    if (end - start !== 4 * count || base + end > buf.length) {
      throw new DataError({ file: path, field: name }, `data offsets [${start}, ${end}) do not match shape [${r.data.shape}] or the file is truncated`);
    }
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(buf.subarray(base + start, base + end));
    tensors[name] = { shape: r.data.shape, data };
  }
  return { tensors, metadata };
}
