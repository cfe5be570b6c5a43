import { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { createLightGcn, LightGcnConfig, LightGcnPaperConfig } from './base/lightgcn.js';
import { createMf, MfConfig } from './base/mf.js';
import { createPolyCf, PolyCfConfig } from './base/polycf.js';
import { createWeightedGcl, WeightedGclConfig } from './base/weightedgcl.js';
import type { BaseModel, ModelContext } from './types.js';

/** A base model as a value: its config schema (defaults inside, strict keys) and its factory. */
export interface ModelEntry<S extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly schema: S;
  /** May be async: PolyCF computes a truncated SVD when it is built. */
  create(cfg: z.infer<S>, ctx: ModelContext): BaseModel | Promise<BaseModel>;
}

function entry<S extends z.ZodType>(e: ModelEntry<S>): ModelEntry<S> {
  return e;
}

/** Frozen name → model table; an unknown name is an error listing these. */
export const MODELS = Object.freeze({
  lightgcn: entry({
    description: 'LightGCN, RLMRec/SSLRec variant (d=32, sum of layers, edge dropout 0.8, L2 1e-6 on all params)',
    schema: LightGcnConfig,
    create: (c, ctx) => createLightGcn(c, ctx, 'lightgcn'),
  }),
  'lightgcn-paper': entry({
    description: 'LightGCN as in the paper (d=64, mean of layers, no dropout, L2 1e-4 on batch ego embeddings)',
    schema: LightGcnPaperConfig,
    create: (c, ctx) => createLightGcn(c, ctx, 'lightgcn-paper'),
  }),
  mf: entry({ description: 'MF-BPR (d=32, batch L2 1e-4)', schema: MfConfig, create: createMf }),
  weightedgcl: entry({
    description: 'WeightedGCL (LightGCN mean of layers 1..L, d=64, L=2; SENet-weighted perturbed-view contrastive loss)',
    schema: WeightedGclConfig,
    create: createWeightedGcl,
  }),
  polycf: entry({
    description: 'PolyCF, reconstructed (Chebyshev filters of generalized Gram matrices + GF-CF low-pass, leave-one-out BPR)',
    schema: PolyCfConfig,
    create: createPolyCf,
  }),
});
export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

export function getModel(name: string): ModelEntry {
  if (!Object.hasOwn(MODELS, name)) throw new ConfigError(`unknown model "${name}"; valid models: ${MODEL_NAMES.join(', ')}`);
  return MODELS[name as ModelName] as unknown as ModelEntry;
}

/**
 * The `model` section of a run config: `{ name, ...that model's fields }`, discriminated by name, so each
 * model's defaults fill in and unknown keys are rejected per model.
 */
export type ModelConfig = { name: ModelName } & Record<string, unknown>;
export const ModelConfig = z.discriminatedUnion(
  'name',
  MODEL_NAMES.map((n) => (MODELS[n].schema as z.ZodObject).extend({ name: z.literal(n) })) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<ModelConfig>;

/** Validate a model section (name + fields) and build the model. */
export async function createModel(cfg: { name: string } & Record<string, unknown>, ctx: ModelContext): Promise<BaseModel> {
  const e = getModel(cfg.name);
  const { name: _name, ...fields } = cfg;
  const parsed = e.schema.safeParse(fields);
  if (!parsed.success) {
    throw new ConfigError(`model "${cfg.name}": ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return e.create(parsed.data, ctx);
}
