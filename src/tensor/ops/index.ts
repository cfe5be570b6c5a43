import { add } from './add.js';
import { addConst } from './add-const.js';
import { addRowVector } from './add-row-vector.js';
import { bprLoss } from './bpr-loss.js';
import { bprRows } from './bpr-rows.js';
import { concatCols } from './concat-cols.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { edgeDot } from './edge-dot.js';
import { gatherRows } from './gather-rows.js';
import { infoNce } from './info-nce.js';
import { infoNcePrefix } from './info-nce-prefix.js';
import { infoNceWeighted } from './info-nce-weighted.js';
import { leakyRelu } from './leaky-relu.js';
import { log } from './log.js';
import { logSoftmaxRows } from './log-softmax-rows.js';
import { logSumExpRows } from './log-sum-exp-rows.js';
import { matmul } from './matmul.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import type { AnyOp } from './op.js';
import { prototypeReadout } from './prototype-readout.js';
import { relu } from './relu.js';
import { rowDot } from './row-dot.js';
import { rowL2Normalize } from './row-l2-normalize.js';
import { rowNormSpmm } from './row-norm-spmm.js';
import { scale } from './scale.js';
import { scatterAddRows } from './scatter-add-rows.js';
import { sigmoid } from './sigmoid.js';
import { sliceCols } from './slice-cols.js';
import { softmaxRows } from './softmax-rows.js';
import { spmm } from './spmm.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { sumRows } from './sum-rows.js';
import { sumSquares } from './sum-squares.js';
import { tanh } from './tanh.js';

/**
 * Every op. test/tensor/ops.test.ts gradient-checks each entry, so an op added here is covered, and an op
 * not added here cannot be used through fn.ts without failing review.
 */
export const OPS = {
  add, sub, mul, div, scale, addConst, addRowVector, matmul, spmm, gatherRows, scatterAddRows,
  exp, log, leakyRelu, relu, sigmoid, tanh, rowL2Normalize, logSumExpRows, softmaxRows, logSoftmaxRows,
  concatCols, sliceCols, sum, mean, sumSquares, sumRows, rowDot, bprLoss, infoNce,
  edgeDot, rowNormSpmm, infoNceWeighted, infoNcePrefix, prototypeReadout, bprRows,
} satisfies Record<string, AnyOp>;
