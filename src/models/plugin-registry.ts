import { z } from 'zod';
import { createTape } from '../tensor/tape.js';
import { ConfigError } from '../util/errors.js';
import { createRng, type Rng } from '../util/rng.js';
import type { PluginContext, PluginText, TextInputName } from './plugins/context.js';
import { createLmmrec, LmmrecConfig } from './plugins/lmmrec/index.js';
import { createRlmrecCon, RlmrecConConfig } from './plugins/rlmrec-con.js';
import { AutographConfig, createAutograph } from './plugins/autograph.js';
import { createOnce, OnceConfig } from './plugins/once.js';
import { createRlmrecGen, RlmrecGenConfig } from './plugins/rlmrec-gen.js';
import { createUist, UistConfig } from './plugins/uist.js';
import type { BaseModel, ModelContext, Plugin } from './types.js';

/** A plug-in as a value: its config schema (defaults inside, strict keys), the text it reads, its factory. */
export interface PluginEntry<S extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly schema: S;
  create(cfg: z.infer<S>, ctx: PluginContext): Plugin;
  /** The text inputs it may read (a run's results depend on these and no others). */
  readonly reads: readonly TextInputName[];
  /**
   * Also runs on a base without ID embeddings (PolyCF): its `transformEmbeddings` vectors add a dot-product
   * score term (types.ts). Its context then has `dim` 0 and the plug-in uses its own width setting.
   */
  readonly scoreTermOnly?: boolean;
}

function entry<S extends z.ZodType>(e: PluginEntry<S>): PluginEntry<S> {
  return e;
}

/** Frozen name → plug-in table; an unknown name is an error listing these. */
export const PLUGINS = Object.freeze({
  'rlmrec-con': entry({
    description: 'RLMRec-Con: contrastive alignment of CF embeddings with projected profile embeddings (needs text.semantic)',
    schema: RlmrecConConfig,
    reads: ['semantic'],
    create: createRlmrecCon,
  }),
  'rlmrec-gen': entry({
    description: 'RLMRec-Gen: masked ego nodes reconstruct their profile embeddings (needs text.semantic; base lightgcn* or polycf with model.branchDim > 0)',
    schema: RlmrecGenConfig,
    reads: ['semantic'],
    create: createRlmrecGen,
  }),
  lmmrec: entry({
    description: 'LMMRec: semantic + motivation alignment, interaction motivation encoder, MCS, ITC (needs text.semantic and text.motivation)',
    schema: LmmrecConfig,
    reads: ['semantic', 'motivation'],
    create: createLmmrec,
  }),
  uist: entry({
    description: 'UIST baseline: RQ semantic tokens of S_U / S_I, prefix token embeddings, HMI score term added to the base score (needs text.semantic)',
    schema: UistConfig,
    reads: ['semantic'],
    create: createUist,
    scoreTermOnly: true,
  }),
  once: entry({
    description: 'ONCE baseline: adapter g(S) content vectors, attention-pooled over each user\'s items, added to e_u / e_i (needs text.semantic)',
    schema: OnceConfig,
    reads: ['semantic'],
    create: createOnce,
    scoreTermOnly: true,
  }),
  autograph: entry({
    description: 'AutoGraph baseline: RQ code nodes, metapath aggregation (user-code-user, item-code-item, user-item), MLP vectors added to e_u / e_i (needs text.semantic)',
    schema: AutographConfig,
    reads: ['semantic'],
    create: createAutograph,
    scoreTermOnly: true,
  }),
});
export type PluginName = keyof typeof PLUGINS;
export const PLUGIN_NAMES = Object.keys(PLUGINS) as PluginName[];

export function getPlugin(name: string): PluginEntry {
  if (!Object.hasOwn(PLUGINS, name)) throw new ConfigError(`unknown plug-in "${name}"; valid plug-ins: ${PLUGIN_NAMES.join(', ')}`);
  return PLUGINS[name as PluginName] as unknown as PluginEntry;
}

/** The run config's `plugins`: which plug-ins, in order, each at most once. */
export const PluginList = z
  .array(z.enum(PLUGIN_NAMES as [PluginName, ...PluginName[]]))
  .default([])
  .refine((l) => new Set(l).size === l.length, 'a plug-in is listed twice');

/** The run config's `plugin` section: every plug-in's settings with defaults (used only when listed). */
export const PluginSettings = z
  .strictObject({
    'rlmrec-con': RlmrecConConfig.prefault({}),
    'rlmrec-gen': RlmrecGenConfig.prefault({}),
    lmmrec: LmmrecConfig.prefault({}),
    uist: UistConfig.prefault({}),
    once: OnceConfig.prefault({}),
    autograph: AutographConfig.prefault({}),
  })
  .prefault({});
export type PluginSettings = z.infer<typeof PluginSettings>;

export interface CreatePluginsArgs {
  model: BaseModel;
  train: ModelContext['train'];
  kernels: ModelContext['kernels'];
  /** Initialisation stream; plug-in `x` draws from `rng.derive('plugin/x')`. */
  rng: Rng;
  text: PluginText;
}

/** Build the listed plug-ins on a base model (validating each one's settings). */
export function createPlugins(names: readonly string[], settings: Partial<Record<string, unknown>>, args: CreatePluginsArgs): Plugin[] {
  if (names.length === 0) return [];
  const entries = names.map(getPlugin);
  const dim = baseEmbeddingDim(args.model, args.kernels);
  return names.map((name, k) => {
    const e = entries[k];
    if (dim === undefined && !e.scoreTermOnly) throw noEmbeddings(name, args.model.name);
    const parsed = e.schema.safeParse(settings[name] ?? {});
    if (!parsed.success) {
      throw new ConfigError(`plugin.${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    return e.create(parsed.data, {
      train: args.train, numUsers: args.model.numUsers, numItems: args.model.numItems, dim: dim ?? 0, baseName: args.model.name,
      kernels: args.kernels, rng: args.rng.derive(`plugin/${name}`), text: args.text,
    });
  });
}

/**
 * Width of the base model's final embeddings, from one throw-away forward pass with its own random stream
 * (the training streams are untouched). Plug-ins align these embeddings, so a base without them is rejected.
 */
export function embeddingDim(model: BaseModel, kernels: ModelContext['kernels'], plugin: string): number {
  const dim = baseEmbeddingDim(model, kernels);
  if (dim === undefined) throw noEmbeddings(plugin, model.name);
  return dim;
}

/** The width of the base's final embeddings, undefined for a base without them (PolyCF). */
export function baseEmbeddingDim(model: BaseModel, kernels: ModelContext['kernels']): number | undefined {
  const t = createTape(kernels);
  const e = model.embed(t, { epoch: 0, step: 0, rng: createRng(0) });
  return e.users === undefined ? undefined : t.value(e.users).cols;
}

function noEmbeddings(plugin: string, base: string): ConfigError {
  // PolyCF has an optional embedding branch; it changes the base, so it is switched on in the config, not here.
  const hint = base === 'polycf' ? '; turn on its embedding branch with model.branchDim > 0 (e.g. --set model.branchDim=32, method.md §B.7)' : '';
  return new ConfigError(`plug-in ${plugin} needs user / item embeddings, and base model "${base}" has none${hint}`);
}
