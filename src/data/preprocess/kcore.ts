import { ConfigError } from '../../util/errors.js';
import type { RawInteractions } from '../readers/raw.js';
import { countRaw, intern, selectRaw, type StepResult } from './records.js';

export interface KcoreOptions {
  /** Minimum interactions per kept user. */
  user: number;
  /** Minimum interactions per kept item. */
  item: number;
}

/**
 * Iterative k-core: drop users with fewer than `user` records and items with fewer than `item` records,
 * recount, and repeat until nothing changes (removing an item can push a user below k, and back again).
 * Run after dedup so a repeated pair does not count twice.
 */
export function kcore(raw: RawInteractions, k: KcoreOptions): StepResult<RawInteractions> {
  for (const [name, v] of Object.entries(k)) {
    if (!Number.isInteger(v) || v < 0) throw new ConfigError(`k-core ${name} must be a non-negative integer, got ${v}`);
  }
  const u = intern(raw.users), i = intern(raw.items);
  const n = raw.users.length;
  const alive = new Uint8Array(n).fill(1);
  const degU = new Int32Array(u.values.length), degI = new Int32Array(i.values.length);
  let passes = 0;
  for (;;) {
    passes++;
    degU.fill(0); degI.fill(0);
    for (let j = 0; j < n; j++) if (alive[j]) { degU[u.codes[j]]++; degI[i.codes[j]]++; }
    let removed = 0;
    for (let j = 0; j < n; j++) {
      if (alive[j] && (degU[u.codes[j]] < k.user || degI[i.codes[j]] < k.item)) { alive[j] = 0; removed++; }
    }
    if (removed === 0) break;
  }
  const keep: number[] = [];
  for (let j = 0; j < n; j++) if (alive[j]) keep.push(j);
  const data = selectRaw(raw, keep);
  return {
    data,
    step: {
      name: 'kcore',
      params: { user: k.user, item: k.item },
      in: countRaw(raw),
      out: countRaw(data),
      // the last pass only confirms the fixed point
      details: { passes, removed: n - keep.length },
    },
  };
}
