import type { Kernels } from '../tensor/kernels/types.js';
import type { Node, Param, Tape } from '../tensor/tape.js';
import type { Rng } from '../util/rng.js';

/**
 * Trained state used for ranking. `eval/` and `serve/` only ever see a Scorer, so any model (or a plain
 * popularity count) plugs into full-ranking evaluation the same way.
 */
export interface Scorer {
  readonly numItems: number;
  /** Write users.length × numItems scores, row-major, into `out` (length ≥ users.length * numItems). */
  scoreBatch(users: Int32Array, out: Float32Array): void;
  /**
   * For a dot-product scorer, the frozen final embeddings it scores with (scores = users · itemsᵀ, plus
   * `residual` when set), so a plug-in's `transformEmbeddings` can be applied to them (models/freeze.ts).
   * Undefined for other scorers.
   */
  readonly embeddings?: FrozenEmbeddings;
}

/** Frozen final embeddings: numUsers × dim and numItems × dim, row-major. */
export interface FrozenEmbeddings {
  readonly users: Float32Array;
  readonly items: Float32Array;
  readonly dim: number;
  /**
   * Scores the scorer adds to the dot products (PolyCF's filter scores under its embedding branch): its
   * scores are residual + users · itemsᵀ. Undefined for a pure dot-product scorer.
   */
  readonly residual?: Scorer;
}

/** One step's training triples (u, i⁺, i⁻), aligned; views into the epoch's sampled triples. */
export interface Batch {
  readonly users: Int32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
}

/**
 * What one training step may depend on besides the parameters. `rng` is this epoch's "model" stream
 * (derived from the run seed and the epoch number), so a resumed epoch replays the same edge dropout and
 * noise as an uninterrupted one. Models draw from it in a fixed order within the step.
 */
export interface StepContext {
  readonly epoch: number;
  /** 0-based step within the epoch. */
  readonly step: number;
  /** Steps in this epoch (lazy plug-in terms weight the epoch's last, shorter period by its length); undefined in one-off calls. */
  readonly steps?: number;
  readonly rng: Rng;
  /**
   * This step's rewrite of the ego embeddings E^(0) before propagation (RLMRec-Gen's node masking), composed
   * by the trainer from the plug-ins' `transformEgo` hooks. A base model with an ego table applies it in
   * `embed`; undefined when no plug-in has the hook.
   */
  readonly transformEgo?: (t: Tape, ego: Node) => Node;
}

/**
 * A forward pass's embeddings, as tape nodes. `users` (numUsers × d) and `items` (numItems × d) are the final
 * embeddings that scores are dot products of; `layers` are the stacked (numUsers + numItems) × d layer
 * outputs E^(0..L), users first, for plug-ins that act per layer. Models without ID embeddings (PolyCF
 * without its embedding branch) leave `users`/`items` undefined and `layers` empty; a plug-in that needs them
 * rejects such a base.
 */
export interface Embeddings {
  readonly numUsers: number;
  readonly numItems: number;
  readonly users?: Node;
  readonly items?: Node;
  readonly layers: readonly Node[];
  /**
   * The base model's own final embeddings when plug-ins' `transformEmbeddings` replaced `users` / `items` for
   * scoring. A base's auxiliary terms that act on its representation (WeightedGCL's perturbed views) read
   * these; its ranking loss reads `users` / `items`.
   */
  readonly base?: { readonly users?: Node; readonly items?: Node };
}

/**
 * Named 1 × 1 loss terms ({ bpr, reg, cl, … }). The trainer sums them, and names the offending term when one
 * is NaN or infinite, so the terms stay separate until then.
 */
export type LossTerms = Readonly<Record<string, Node>>;

/**
 * A base recommender (style.md §2.4): all a model owes the trainer. RecBole's `calculate_loss` / `predict` /
 * `full_sort_predict`, with trained state split off into a Scorer.
 */
export interface BaseModel {
  readonly name: string;
  readonly numUsers: number;
  readonly numItems: number;
  /** Every trainable parameter, with a unique name (checkpoint tensor names derive from it). */
  readonly params: readonly Param[];
  /**
   * Train in batches of this many users (all of each user's triples in the epoch) instead of fixed-size
   * triple batches: for models whose cost is per user, not per triple (PolyCF). Undefined for the rest.
   */
  readonly usersPerBatch?: number;
  /** The training forward pass (with edge dropout etc. drawn from ctx.rng). */
  embed(t: Tape, ctx: StepContext): Embeddings;
  /** Base loss terms for one batch, e.g. { bpr, reg }. */
  loss(t: Tape, e: Embeddings, b: Batch, ctx: StepContext): LossTerms;
  /** Final scores from the current parameters (no dropout, no noise), detached from later training. */
  freeze(): Scorer;
}

/**
 * A plug-in adds weighted loss terms on the base model's embeddings and never subclasses a trainer; if it
 * needs another moment, it gets a new optional hook here (style.md §2.4).
 */
export interface Plugin {
  readonly name: string;
  readonly params: readonly Param[];
  loss(t: Tape, e: Embeddings, b: Batch, ctx: StepContext): LossTerms;
  /** Steps after which the plug-in's part of the graph repeats (lazy terms); the trainer's tape keeps buffers that long. */
  readonly period?: number;
  /** After the optimiser step (e.g. a momentum-teacher update). */
  onStepEnd?(): void;
  /** Before an epoch's first step (e.g. refresh prototypes). */
  onEpochStart?(epoch: number): void;
  /**
   * Rewrite the stacked (numUsers + numItems) × d ego table before the base model propagates it (e.g. replace
   * masked nodes by a learnable token). Called from inside the base model's `embed`, before `loss`.
   */
  transformEgo?(t: Tape, ego: Node, ctx: StepContext): Node;
  /**
   * Rewrite the final user / item embeddings that scores are dot products of, e.g. e'_u = e_u + c_u (ONCE,
   * AutoGraph) or a concatenation [e_u ; u⁽¹⁾ ; u⁽²⁾ ; u⁽³⁾] · [e_i ; Σ_m w_1m i⁽ᵐ⁾ ; …] whose dot product
   * adds a score term (UIST). Composed in plug-in order; users and items may change width together.
   *
   * - Training: the trainer applies it after `embed`; the base model's `loss` (its BPR) gets the result,
   *   with the untransformed embeddings in `base`; plug-ins' `loss` get the untransformed embeddings.
   * - Scoring: models/freeze.ts applies it once to the frozen final embeddings (`step` undefined: no
   *   randomness) and scores with dot products of the result.
   * - A base without ID embeddings (PolyCF) passes `users` / `items` undefined: the plug-in returns its own
   *   vectors, whose dot product the base adds to its own scores (BPR on the sum in training; the frozen
   *   scorer adds the two).
   *
   * An identity result (the same `e`) must leave training bit-identical to the bare base.
   */
  transformEmbeddings?(t: Tape, e: Embeddings, step?: StepContext): Embeddings;
}

/** What every model factory receives besides its own config. */
export interface ModelContext {
  /** The user × item training graph (a Csr from data/ fits this shape). */
  readonly train: {
    readonly rows: number;
    readonly cols: number;
    readonly indptr: Int32Array;
    readonly indices: Int32Array;
  };
  readonly kernels: Kernels;
  /** Initialisation stream (derive sub-streams by name). */
  readonly rng: Rng;
}
