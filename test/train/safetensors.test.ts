import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensors, writeSafetensors } from '../../src/train/safetensors.js';
import { tempDir } from '../helpers/temp-dir.js';

test('round trip keeps shapes, values and metadata; layout matches the safetensors spec', () => {
  const dir = tempDir('st');
  try {
    const p = join(dir, 'ckpt.safetensors');
    const a = Float32Array.from([1.5, -2, 3.25, Math.fround(0.1), 0, 7]);
    writeSafetensors(p, { 'user.emb': { shape: [2, 3], data: a }, bias: { shape: [1], data: Float32Array.from([9]) } }, { epoch: '12' });
    const { tensors, metadata } = readSafetensors(p);
    assert.deepEqual(tensors['user.emb'].shape, [2, 3]);
    assert.deepEqual(tensors['user.emb'].data, a);
    assert.deepEqual(tensors.bias.data, Float32Array.from([9]));
    assert.equal(metadata.epoch, '12');
    const raw = readFileSync(p);
    const n = Number(raw.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0, 'tensor data is 8-byte aligned');
    const header = JSON.parse(raw.subarray(8, 8 + n).toString());
    assert.deepEqual(header.bias, { dtype: 'F32', shape: [1], data_offsets: [0, 4] }); // sorted by name
    assert.equal(raw.readFloatLE(8 + n + 4), 1.5);
    assert.deepEqual(readdirSync(dir), ['ckpt.safetensors'], 'no temp file left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('truncated or malformed files give errors naming the file', () => {
  const dir = tempDir('st');
  try {
    const p = join(dir, 'c.safetensors');
    writeSafetensors(p, { w: { shape: [4], data: new Float32Array(4) } });
    writeFileSync(p, readFileSync(p).subarray(0, readFileSync(p).length - 3));
    assert.throws(() => readSafetensors(p), (e: Error) => e.message.includes('c.safetensors') && /truncated/.test(e.message));
    writeFileSync(p, Buffer.from([1, 2]));
    assert.throws(() => readSafetensors(p), /shorter than its 8-byte header/);
    assert.throws(() => writeSafetensors(p, { w: { shape: [3], data: new Float32Array(4) } }), /3 elements but data has 4/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
