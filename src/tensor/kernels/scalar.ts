import * as ew from './scalar-elementwise.js';
import { gemmScalar } from './scalar-gemm.js';
import * as rw from './scalar-rows.js';
import { gatherAddRowsScalar, gatherRowsScalar, keepEntriesScalar, scatterAddRowsScalar, spmmScalar } from './scalar-sparse.js';
import { topKRows } from '../topk.js';
import type { Kernels } from './types.js';

/**
 * The reference kernels: plain loops, float64 accumulation, no threads. Every other table is tested against
 * this one (test/tensor/kernel-cases.ts), and gradient checks run it on Float64Array.
 */
export const scalarKernels = {
  name: 'scalar',
  gemm: gemmScalar,
  spmm: spmmScalar,
  keepEntries: keepEntriesScalar,
  gatherRows: gatherRowsScalar,
  gatherAddRows: gatherAddRowsScalar,
  scatterAddRows: scatterAddRowsScalar,
  add: ew.add,
  addMany: ew.addMany,
  axpy: ew.axpy,
  sub: ew.sub,
  mul: ew.mul,
  mulAdd: ew.mulAdd,
  div: ew.div,
  divGradA: ew.divGradA,
  divGradB: ew.divGradB,
  scale: ew.scale,
  addScalar: ew.addScalar,
  addRowVector: rw.addRowVector,
  colSumsAdd: rw.colSumsAdd,
  sumRows: rw.sumRows,
  addRowScalars: rw.addRowScalars,
  rowDot: rw.rowDot,
  rowScaleAdd: rw.rowScaleAdd,
  exp: ew.exp,
  log: ew.log,
  leakyRelu: ew.leakyRelu,
  leakyReluGrad: ew.leakyReluGrad,
  relu: ew.relu,
  reluGrad: ew.reluGrad,
  sigmoid: ew.sigmoid,
  sigmoidGrad: ew.sigmoidGrad,
  tanh: ew.tanh,
  tanhGrad: ew.tanhGrad,
  rowL2Normalize: rw.rowL2Normalize,
  rowL2NormalizeGrad: rw.rowL2NormalizeGrad,
  logSumExpRows: rw.logSumExpRows,
  logSumExpRowsGrad: rw.logSumExpRowsGrad,
  softmaxRows: rw.softmaxRows,
  softmaxRowsGrad: rw.softmaxRowsGrad,
  logSoftmaxRows: rw.logSoftmaxRows,
  logSoftmaxRowsGrad: rw.logSoftmaxRowsGrad,
  copyCols: rw.copyCols,
  sum: rw.sum,
  sumSquares: rw.sumSquares,
  prefetchSumSquares: () => {},
  bprLoss: rw.bprLoss,
  bprLossGrad: rw.bprLossGrad,
  bprLossRows: rw.bprLossRows,
  bprLossRowsGrad: rw.bprLossRowsGrad,
  adamStep: ew.adamStep,
  topKRows: (scores, n, k, users, exclIndptr, exclIndices, out, stride, counts) =>
    topKRows(scores, n, k, users, exclIndptr, exclIndices, out, stride, counts),
} satisfies Kernels;
