import type { Kernels } from '../tensor/kernels/types.js';
import { createTape, type Node, type Tape } from '../tensor/tape.js';
import { sharedF32 } from '../tensor/tensor.js';
import { createDotScorer } from './base/dot-scorer.js';
import type { BaseModel, Embeddings, Plugin, Scorer } from './types.js';

/**
 * The plug-in-aware freeze: the base model's Scorer, with every plug-in's `transformEmbeddings` applied once
 * to its frozen final embeddings (types.ts). Without such a plug-in it is `model.freeze()` itself.
 *
 * - A dot-product base: scores are dot products of the transformed embeddings.
 * - A base without embeddings (PolyCF): its scores plus the dot products of the plug-ins' vectors.
 * - A base whose scores are a residual plus dot products (PolyCF with its embedding branch): the residual
 *   plus dot products of the transformed embeddings.
 */
export function freezeWithPlugins(model: BaseModel, plugins: readonly Plugin[], kernels: Kernels): Scorer {
  const base = model.freeze();
  const hooks = plugins.filter((p) => p.transformEmbeddings !== undefined);
  if (hooks.length === 0) return base;
  const nu = model.numUsers, ni = model.numItems;
  const t = createTape(kernels);
  const frozen = base.embeddings;
  let e: Embeddings = { numUsers: nu, numItems: ni, layers: [] };
  if (frozen) {
    e = {
      ...e,
      users: t.constant({ rows: nu, cols: frozen.dim, data: frozen.users }),
      items: t.constant({ rows: ni, cols: frozen.dim, data: frozen.items }),
    };
  }
  for (const p of hooks) e = p.transformEmbeddings!(t, e);
  if (e.users === undefined || e.items === undefined) return base;
  const dim = t.value(e.users).cols;
  const dot = createDotScorer(detach(t, e.users), detach(t, e.items), nu, ni, dim, kernels);
  if (!frozen) return sumScorer(base, dot);
  return frozen.residual ? sumScorer(frozen.residual, dot) : dot;
}

/** Scores of `a` plus scores of `b` (same items). */
export function sumScorer(a: Scorer, b: Scorer): Scorer {
  let buf = sharedF32(0);
  return {
    numItems: a.numItems,
    scoreBatch(users, out) {
      const n = users.length * a.numItems;
      if (buf.length < n) buf = sharedF32(n);
      a.scoreBatch(users, out);
      b.scoreBatch(users, buf);
      for (let i = 0; i < n; i++) out[i] += buf[i];
    },
  };
}

function detach(t: Tape, n: Node): Float32Array {
  const v = t.value(n), out = sharedF32(v.rows * v.cols);
  out.set(v.data.subarray(0, v.rows * v.cols));
  return out;
}
