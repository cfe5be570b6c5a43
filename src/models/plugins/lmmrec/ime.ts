import type { Csr } from '../../../data/csr.js';
import * as F from '../../../tensor/fn.js';
import { xavierUniform } from '../../../tensor/init.js';
import { edgePattern, type EdgePattern, transposePattern } from '../../../tensor/ops/edge-pattern.js';
import { createParam, type Node, type Param, type Tape } from '../../../tensor/tape.js';
import { matrix } from '../../../tensor/tensor.js';
import { ConfigError } from '../../../util/errors.js';
import type { PluginContext } from '../context.js';
import { rowIndex } from '../rows.js';
import { anchorSubgraph, createSubgraphSizers } from './subgraph.js';

/**
 * Interaction Motivation Encoder (method.md §B.3; IRLLRec's intent-aware propagation). For each base layer
 * l = 0..L−1:
 *   Z_U = softmax_row(E_U P_U) P_Uᵀ, Z_I = softmax_row(E_I P_I) P_Iᵀ            (prototype read-out)
 *   α_ui = (cos(Z_u, Z_i) + 1)/2 on every training edge, both directions         (motivation-aware weights)
 *   H^(l+1) = Ã^(l) E^(l), Ã row-normalised (random walk, zero-degree rows 0)
 * and H = mean_l H^(l+1). Users and items live in separate blocks: the user rows of Ã are the R pattern with
 * weights α, the item rows the Rᵀ pattern with the same α (cosine is symmetric) in transposed order.
 */
export interface Ime {
  readonly params: readonly Param[];
  /** H for every user and item, over the whole train graph. */
  forward(t: Tape, layers: readonly Node[]): ImeOutput;
  /**
   * H at the given distinct users and items only, over their subgraph (anchorSubgraph): the same rows as
   * `forward`'s, at the cost of the anchors' edges and their neighbours' read-outs.
   */
  forwardAt(t: Tape, layers: readonly Node[], users: Int32Array, items: Int32Array): AnchorOutput;
}

export interface AnchorOutput {
  /** Rows userRow[u] of `users` / itemRow[i] of `items` hold h_u / h_i (−1 for ids not asked for). */
  readonly users: Node;
  readonly items: Node;
  readonly userRow: Int32Array;
  readonly itemRow: Int32Array;
}

export interface ImeOutput {
  readonly users: Node;
  readonly items: Node;
  /** α per layer, nnz × 1 in the storage order of the train graph (user-major). */
  readonly alpha: readonly Node[];
}

export function createIme(ctx: PluginContext, prototypes: number): Ime {
  const nu = ctx.numUsers, ni = ctx.numItems, d = ctx.dim;
  const r: EdgePattern = edgePattern(ctx.train);
  const rt = transposePattern(r);
  const pu = createParam('protoUsers', d, prototypes), pi = createParam('protoItems', d, prototypes);
  xavierUniform(pu.value, ctx.rng.derive('proto-users'));
  xavierUniform(pi.value, ctx.rng.derive('proto-items'));
  const userRows = Int32Array.from({ length: nu }, (_, u) => u), itemRows = Int32Array.from({ length: ni }, (_, i) => nu + i);
  const half = matrix(1, 1);
  half.data[0] = 0.5;

  // normalize(softmax(e P) Pᵀ) as one fused op: bit-identical to the four-op chain, without its tape nodes.
  const readout = (t: Tape, e: Node, p: Param): Node => F.prototypeReadout(t, e, t.param(p));

  const depthOf = (layers: readonly Node[]): number => {
    if (layers.length < 2) throw new ConfigError('lmmrec: the interaction motivation encoder needs a base model with ≥ 1 propagation layer (or set useIME=false)');
    return layers.length - 1;
  };
  const transposed: Csr = { rows: ni, cols: nu, indptr: r.tIndptr, indices: r.tIndices };
  const userRow = new Int32Array(nu), itemRow = new Int32Array(ni), sizers = createSubgraphSizers();

  return {
    params: [pu, pi],
    forwardAt(t, layers, users, items) {
      const depth = depthOf(layers);
      const g = anchorSubgraph(ctx.train, transposed, users, items, sizers);
      const itemNodes = g.itemIds.map((i) => nu + i);
      let hu: Node | undefined, hi: Node | undefined;
      for (let l = 0; l < depth; l++) {
        const eu = F.gatherRows(t, layers[l], g.userIds), ei = F.gatherRows(t, layers[l], itemNodes);
        const zu = readout(t, eu, pu), zi = readout(t, ei, pi);
        // 2α = cos + 1: row normalisation cancels the factor 2, so Ã is the same and one pass is saved.
        const au = F.addConst(t, F.edgeDot(t, zu, zi, g.users), 1), ai = F.addConst(t, F.edgeDot(t, zi, zu, g.items), 1);
        const u = F.rowNormSpmm(t, au, ei, g.users), i = F.rowNormSpmm(t, ai, eu, g.items);
        hu = hu === undefined ? u : F.add(t, hu, u);
        hi = hi === undefined ? i : F.add(t, hi, i);
      }
      return {
        users: F.scale(t, hu!, 1 / depth), items: F.scale(t, hi!, 1 / depth),
        userRow: rowIndex(users, nu, userRow), itemRow: rowIndex(items, ni, itemRow),
      };
    },
    forward(t, layers) {
      const depth = depthOf(layers);
      let hu: Node | undefined, hi: Node | undefined;
      const alpha: Node[] = [];
      for (let l = 0; l < depth; l++) {
        const eu = F.gatherRows(t, layers[l], userRows), ei = F.gatherRows(t, layers[l], itemRows);
        const a = F.addRowVector(t, F.scale(t, F.edgeDot(t, readout(t, eu, pu), readout(t, ei, pi), r), 0.5), t.constant(half));
        alpha.push(a);
        const u = F.rowNormSpmm(t, a, ei, r), i = F.rowNormSpmm(t, F.gatherRows(t, a, r.perm), eu, rt);
        hu = hu === undefined ? u : F.add(t, hu, u);
        hi = hi === undefined ? i : F.add(t, hi, i);
      }
      return { users: F.scale(t, hu!, 1 / depth), items: F.scale(t, hi!, 1 / depth), alpha };
    },
  };
}
