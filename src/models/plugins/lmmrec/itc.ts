import * as F from '../../../tensor/fn.js';
import type { Node, Tape } from '../../../tensor/tape.js';

/**
 * Interaction–Text Correspondence, distillation part (method.md §B.4.5; IRLLRec `loss_itm`): the momentum
 * teacher's softmax over the d feature dimensions is the soft target of the student's log-softmax,
 *   L_dist = −(1/|V|) Σ_n Σ_k softmax(t^tch_n)_k · log softmax(t_n)_k = (1/|V|) Σ_n [ lse(t_n) − p_n · t_n ]
 * (Σ_k p_nk = 1). `teacher` must carry no gradient (a detached projection); L_dist ≥ entropy(p), with
 * equality when student = teacher.
 */
export function distillationLoss(t: Tape, student: Node, teacher: Node): Node {
  const rows = t.value(student).rows;
  const p = F.softmaxRows(t, teacher);
  const cross = F.add(t, F.sum(t, F.logSumExpRows(t, student)), F.scale(t, F.sum(t, F.rowDot(t, p, student)), -1));
  return F.scale(t, cross, 1 / rows);
}
