import { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { METRIC_NAMES } from './metrics.js';

/**
 * An evaluation protocol as a value. Results embed the whole object, so a number is never separated from
 * how it was computed (masking choices alone move ranking metrics a lot: Cornac PR #523).
 */
export const Protocol = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  /** Candidate set per user before masking. */
  candidates: z.literal('all-items'),
  /** Splits whose items are removed from a user's candidates. `rlmrec` masks train only. */
  mask: z.array(z.enum(['train', 'valid'])),
  /** Which users are averaged over. */
  users: z.literal('with-targets'),
  /** Equal scores rank the lower item id first; NaN scores rank as -Infinity. */
  ties: z.literal('lower-item-id'),
  nan: z.literal('as-negative-infinity'),
  aggregate: z.literal('mean-over-users'),
  /** Headline metrics and cut-offs the protocol reports. */
  metrics: z.array(z.enum(METRIC_NAMES)).nonempty(),
  ks: z.array(z.int().positive()).nonempty(),
  source: z.string(),
});
export type Protocol = z.infer<typeof Protocol>;

export const RLMREC: Protocol = Object.freeze({
  name: 'rlmrec',
  description:
    'Full ranking over all items; only the user\'s training items are masked (valid items stay candidates at ' +
    'test time); users with >= 1 target are evaluated; Recall@K = hits/|T_u|; NDCG@K with IDCG over ' +
    'min(K, |T_u|) ideal hits and gain 1/log2(rank+1); mean over users.',
  candidates: 'all-items',
  mask: ['train'],
  users: 'with-targets',
  ties: 'lower-item-id',
  nan: 'as-negative-infinity',
  aggregate: 'mean-over-users',
  metrics: ['recall', 'ndcg'],
  ks: [5, 10, 20],
  source: 'HKUDS/RLMRec encoder/utils/metrics.py and data_utils/datasets_general_cf.py (method.md B.0)',
} satisfies Protocol);

/** Frozen name → protocol table (transformers.js-style), the only way a protocol is chosen. */
export const PROTOCOLS = Object.freeze({ rlmrec: RLMREC });
export type ProtocolName = keyof typeof PROTOCOLS;
export const ProtocolName = z.enum(Object.keys(PROTOCOLS) as [ProtocolName, ...ProtocolName[]]);

/** Look a protocol up by name; an unknown name lists the valid ones. */
export function getProtocol(name: string): Protocol {
  if (!Object.hasOwn(PROTOCOLS, name)) {
    throw new ConfigError(`unknown evaluation protocol "${name}"; valid: ${Object.keys(PROTOCOLS).join(', ')}`);
  }
  return PROTOCOLS[name as ProtocolName];
}
