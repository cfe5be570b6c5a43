import type { Csr } from '../../../data/csr.js';
import { edgePattern, type EdgePattern } from '../../../tensor/ops/edge-pattern.js';
import { createSizer, type Sizer } from '../rows.js';

/**
 * The part of the bipartite train graph one step's IME needs (method.md §B.3): h is read only at the anchor
 * users and items (the batch rows the alignment uses), and h_a depends only on a's edges and the read-out of
 * a's neighbours. So:
 *   nodes  U* = anchor users, then the other users adjacent to an anchor item;
 *          I* = anchor items, then the other items adjacent to an anchor user;
 *   edges  `users`: row r < |anchor users| holds the edges of anchor user r, columns index I*;
 *          `items`: row r < |anchor items| holds the edges of anchor item r, columns index U*.
 * Propagating over these gives exactly the anchors' rows of the full-graph H. Node and edge counts are padded
 * to buckets (padding nodes repeat the first node; padding edges sit in an extra, never-read row) so the tape
 * sees few distinct shapes over a run.
 */
/**
 * Bucket resolution of the subgraph sizes (≤ 1/16 padding). On Amazon-book the node and edge counts move by
 * ~2 % from batch to batch, and with the sizers' hysteresis they settle in one bucket within a few steps; the
 * padding itself is pure waste (padding nodes get read-outs, padding edges dot products), which the former
 * 2-bit buckets put at ~10 % of the IME's rows.
 */
const BITS = 4;

export interface Subgraph {
  /** Global user ids of U* (padded). */
  readonly userIds: Int32Array;
  /** Global item ids of I* (padded). */
  readonly itemIds: Int32Array;
  /** Anchor users' edges: rows index U* (only the first |anchor users| have real edges), columns index I*. */
  readonly users: EdgePattern;
  /** Anchor items' edges: rows index I*, columns index U*. */
  readonly items: EdgePattern;
}

/** Padded sizes of the subgraph's node lists and edge lists (a caller's state across steps). */
export interface SubgraphSizers {
  readonly users: Sizer;
  readonly items: Sizer;
  readonly userEdges: Sizer;
  readonly itemEdges: Sizer;
}

export function createSubgraphSizers(): SubgraphSizers {
  return { users: createSizer(BITS), items: createSizer(BITS), userEdges: createSizer(BITS), itemEdges: createSizer(BITS) };
}

export function anchorSubgraph(r: Csr, rt: Csr, anchorUsers: Int32Array, anchorItems: Int32Array, size = createSubgraphSizers()): Subgraph {
  const userPos = new Int32Array(r.rows).fill(-1), itemPos = new Int32Array(r.cols).fill(-1);
  const userList = collect(anchorUsers, userPos, rt, anchorItems);
  const itemList = collect(anchorItems, itemPos, r, anchorUsers);
  // One spare row past the real nodes always exists, so padding edges never land on an anchor row.
  const userIds = padIds(userList, size.users(userList.length + 1)), itemIds = padIds(itemList, size.items(itemList.length + 1));
  return {
    userIds, itemIds,
    users: edgePattern(rowsOf(r, anchorUsers, itemPos, userIds.length, itemIds.length, size.userEdges)),
    items: edgePattern(rowsOf(rt, anchorItems, userPos, itemIds.length, userIds.length, size.itemEdges)),
  };
}

/** anchors, then the not-yet-listed neighbours of `via` in `g`; pos[id] = its position. */
function collect(anchors: Int32Array, pos: Int32Array, g: Csr, via: Int32Array): number[] {
  const list: number[] = [];
  for (const v of anchors) {
    pos[v] = list.length;
    list.push(v);
  }
  for (const x of via) {
    for (let k = g.indptr[x]; k < g.indptr[x + 1]; k++) {
      const v = g.indices[k];
      if (pos[v] < 0) {
        pos[v] = list.length;
        list.push(v);
      }
    }
  }
  return list;
}

function padIds(list: number[], length: number): Int32Array {
  const ids = new Int32Array(length).fill(list.length > 0 ? list[0] : 0);
  ids.set(list);
  return ids;
}

/** CSR with `rows` rows: row i < |anchors| = g's row anchors[i] with columns mapped by colPos; padding edges in the last row. */
function rowsOf(g: Csr, anchors: Int32Array, colPos: Int32Array, rows: number, cols: number, size: Sizer): Csr {
  let real = 0;
  for (const a of anchors) real += g.indptr[a + 1] - g.indptr[a];
  const nnz = size(real + 1);
  const indptr = new Int32Array(rows + 1), indices = new Int32Array(nnz);
  let w = 0;
  anchors.forEach((a, i) => {
    for (let k = g.indptr[a]; k < g.indptr[a + 1]; k++) indices[w++] = colPos[g.indices[k]];
    indptr[i + 1] = w;
  });
  indptr.fill(w, anchors.length + 1, rows);
  for (let j = 0; w < nnz; j++) indices[w++] = j % cols;
  indptr[rows] = nnz;
  return { rows, cols, indptr, indices };
}
