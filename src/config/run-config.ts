import { z } from 'zod';

/**
 * The run configuration: one zod object with the defaults inside and unknown keys rejected at every level
 * (`z.strictObject` everywhere: strictness does not propagate to nested `z.object`s).
 */
export const DataConfig = z.strictObject({
  /** Folder in the uniform split format (train/valid/test.tsv, maps, *.jsonl.gz). */
  dir: z.string().min(1).optional(),
  /** Fraction of fake interactions to add to train (method.md §B.8); 0 = none. */
  noise: z.number().min(0).max(1).default(0),
});

export const EvalConfig = z.strictObject({
  protocol: z.enum(['rlmrec']).default('rlmrec'),
  ks: z.array(z.int().positive()).nonempty().default([5, 10, 20]),
  /** Users scored per chunk; bounds memory at chunkUsers × numItems floats. Never changes results. */
  chunkUsers: z.int().positive().default(128),
});

export const TrainConfig = z.strictObject({
  epochs: z.int().positive().default(3000),
  batchSize: z.int().positive().default(4096),
  lr: z.number().positive().default(1e-3),
  threads: z.int().positive().max(64).default(2),
  earlyStop: z
    .strictObject({
      metric: z.string().default('recall@20'),
      every: z.int().positive().default(3),
      patience: z.int().positive().default(5),
    })
    .prefault({}),
});

export const RunConfig = z.strictObject({
  /** The one run seed every random stream is derived from. */
  seed: z.int().default(2023),
  /** Workspace folder holding lmmrec.sqlite and run directories. */
  workspace: z.string().default('.lmmrec'),
  data: DataConfig.prefault({}),
  train: TrainConfig.prefault({}),
  eval: EvalConfig.prefault({}),
});
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;

/** Named starting points (layer between defaults and a config file). */
export const PRESETS: Readonly<Record<string, RunConfigInput>> = {
  'rlmrec-amazon-book': { data: { dir: '../shared/data/rlmrec_amazon_book' } },
  'rlmrec-yelp': { data: { dir: '../shared/data/rlmrec_yelp' } },
  'beauty-demo': { data: { dir: 'data/amazon2018_all_beauty_5' } },
};
