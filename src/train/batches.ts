import type { Triples } from '../data/negatives.js';
import type { Batch } from '../models/types.js';
import { type Rng, shuffle } from '../util/rng.js';

/**
 * Cut one epoch's shuffled triples into steps. Fixed-size batches are views into the triples (method.md
 * §B.0: batches of 4096 from the front, the last one shorter, as a PyTorch DataLoader without drop_last).
 */
export function tripleBatches(tr: Triples, batchSize: number): Batch[] {
  const n = tr.users.length, out: Batch[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    out.push({ users: tr.users.subarray(s, e), pos: tr.pos.subarray(s, e), neg: tr.neg.subarray(s, e) });
  }
  return out;
}

/**
 * User-grouped batches for models whose cost is per user (PolyCF): users with triples are shuffled with `rng`,
 * cut into groups of `usersPerBatch`, and each batch holds all of its users' triples in their sampled order.
 * Every triple lands in exactly one batch, so an epoch still sees one negative per interaction.
 */
export function userBatches(tr: Triples, numUsers: number, usersPerBatch: number, rng: Rng): Batch[] {
  const n = tr.users.length;
  const count = new Int32Array(numUsers + 1);
  for (let k = 0; k < n; k++) count[tr.users[k] + 1]++;
  const start = new Int32Array(numUsers + 1);
  for (let u = 0; u < numUsers; u++) start[u + 1] = start[u] + count[u + 1];
  const order = new Int32Array(n), fill = start.slice(0, numUsers);
  for (let k = 0; k < n; k++) order[fill[tr.users[k]]++] = k;
  const active: number[] = [];
  for (let u = 0; u < numUsers; u++) if (count[u + 1] > 0) active.push(u);
  shuffle(active, rng);
  const out: Batch[] = [];
  for (let g = 0; g < active.length; g += usersPerBatch) {
    const group = active.slice(g, g + usersPerBatch);
    let size = 0;
    for (const u of group) size += count[u + 1];
    const users = new Int32Array(size), pos = new Int32Array(size), neg = new Int32Array(size);
    let w = 0;
    for (const u of group) {
      for (let j = start[u]; j < start[u + 1]; j++, w++) {
        const k = order[j];
        users[w] = u; pos[w] = tr.pos[k]; neg[w] = tr.neg[k];
      }
    }
    out.push({ users, pos, neg });
  }
  return out;
}
