import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import type { Kernels } from '../../tensor/kernels/types.js';
import { type SparseMat, sparseOperand } from '../../tensor/sparse.js';
import { createParam, createTape, type Node, type Param, type Tape } from '../../tensor/tape.js';
import { sharedF32, sharedI32 } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';
import type { Embeddings, FrozenEmbeddings, ModelContext, StepContext } from '../types.js';
import { combineLayers, createGraph, detachRows, propagate, splitUsersItems } from './graph.js';

/**
 * PolyCF's optional embedding branch (method.md §B.7 [DESIGN]), so plug-ins that align embeddings have some
 * to align: a learnable item table W (n_i × d, Xavier); ego E⁰_I = W and E⁰_U = D_U⁻¹ R W (the mean of the
 * user's training items; users without items get 0); L LightGCN propagations over Â (no edge dropout);
 * e = the mean of layers 0..L. Users own no parameters, so the branch adds n_i·d parameters only.
 */
export interface PolyBranch {
  readonly param: Param;
  /** The training forward pass, with the plug-ins' ego rewrite (RLMRec-Gen's masking) applied to E⁰. */
  embed(t: Tape, step: StepContext): Embeddings;
  /** Final user / item embeddings from the current W, detached. */
  freeze(): FrozenEmbeddings;
}

export function createPolyBranch(train: ModelContext['train'], dim: number, layers: number, rng: Rng, kernels: Kernels): PolyBranch {
  const nu = train.rows, ni = train.cols;
  const graph = createGraph(train);
  const ego = sparseOperand(egoMatrix(train));
  const w = createParam('branch-items', ni, dim);
  xavierUniform(w.value, rng);

  const forward = (t: Tape, rewrite?: StepContext['transformEgo']): { layers: Node[]; final: Node } => {
    const e0 = F.spmm(t, ego, t.param(w));
    const out = propagate(t, graph.full, rewrite ? rewrite(t, e0) : e0, layers);
    return { layers: out, final: combineLayers(t, out, 'mean') };
  };

  return {
    param: w,
    embed(t, step) {
      const { layers: out, final } = forward(t, step.transformEgo);
      return { numUsers: nu, numItems: ni, ...splitUsersItems(t, graph, final), layers: out };
    },
    freeze() {
      const t = createTape(kernels);
      const { final } = forward(t);
      return { users: detachRows(t, final, 0, nu), items: detachRows(t, final, nu, ni), dim };
    },
  };
}

/** The (n_u + n_i) × n_i map from W to the stacked ego table: rows D_U⁻¹R, then the identity. */
export function egoMatrix(train: ModelContext['train']): SparseMat {
  const nu = train.rows, ni = train.cols, nnz = train.indptr[nu];
  const indptr = sharedI32(nu + ni + 1), indices = sharedI32(nnz + ni), values = sharedF32(nnz + ni);
  for (let u = 0; u < nu; u++) {
    const a = train.indptr[u], b = train.indptr[u + 1];
    for (let k = a; k < b; k++) {
      indices[k] = train.indices[k];
      values[k] = 1 / (b - a);
    }
    indptr[u + 1] = b;
  }
  for (let i = 0; i < ni; i++) {
    indices[nnz + i] = i;
    values[nnz + i] = 1;
    indptr[nu + i + 1] = nnz + i + 1;
  }
  return { rows: nu + ni, cols: ni, indptr, indices, values };
}
