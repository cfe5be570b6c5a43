/**
 * Trained state used for ranking. `eval/` and `serve/` only ever see a Scorer, so any model (or a plain
 * popularity count) plugs into full-ranking evaluation the same way.
 */
export interface Scorer {
  readonly numItems: number;
  /** Write users.length × numItems scores, row-major, into `out` (length ≥ users.length * numItems). */
  scoreBatch(users: Int32Array, out: Float32Array): void;
}
