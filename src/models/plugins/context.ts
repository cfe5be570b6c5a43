import type { Kernels } from '../../tensor/kernels/types.js';
import type { Mat } from '../../tensor/tensor.js';
import { ConfigError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import type { ModelContext } from '../types.js';

/** The two text inputs of a run (`text.semantic`, `text.motivation`). */
export type TextInputName = 'semantic' | 'motivation';

/**
 * Frozen text embeddings of every user and item (method.md §B.1: S or M), as plain matrices: models/ never
 * imports text/, the caller reads the files. A 0 in a mask marks an entity without text; its row is ignored
 * by every loss (never aligned to a zero vector).
 */
export interface TextPair {
  readonly users: Mat;
  readonly items: Mat;
  readonly userMask: Uint8Array;
  readonly itemMask: Uint8Array;
}

export interface PluginText {
  /** S: semantic prior (profile / CoT summary embeddings). */
  readonly semantic?: TextPair;
  /** M: textual motivations (embedded motivation lists). */
  readonly motivation?: TextPair;
  /** Why a configured input is absent (e.g. its file has no such matrix), told only to a plug-in that needs it. */
  readonly missing?: Partial<Record<TextInputName, string>>;
}

/** What every plug-in factory receives besides its own config. */
export interface PluginContext {
  /** The user × item training graph (the base model's). */
  readonly train: ModelContext['train'];
  readonly numUsers: number;
  readonly numItems: number;
  /** Width d of the base model's final user / item embeddings. */
  readonly dim: number;
  /** Name of the base model, for error messages. */
  readonly baseName: string;
  readonly kernels: Kernels;
  /** Initialisation stream of this plug-in (derive sub-streams by name). */
  readonly rng: Rng;
  readonly text: PluginText;
}

/** The text pair a plug-in needs; a ConfigError naming the setting when it is missing or misshapen. */
export function requireText(ctx: PluginContext, plugin: string, which: TextInputName): TextPair {
  const pair = ctx.text[which];
  if (!pair) {
    const how = which === 'semantic' ? 'text.semantic (a matrices file from `lmmrec text embed`)' : 'text.motivation (`lmmrec text embed --source motivations`)';
    throw new ConfigError(`${plugin}: needs ${which} text embeddings; ${ctx.text.missing?.[which] ?? `set ${how}`}`);
  }
  if (pair.users.rows !== ctx.numUsers || pair.items.rows !== ctx.numItems || pair.users.cols !== pair.items.cols) {
    throw new ConfigError(`${plugin}: ${which} text is ${pair.users.rows} users × ${pair.items.rows} items (dim ${pair.users.cols}/${pair.items.cols}), the data has ${ctx.numUsers} × ${ctx.numItems}`);
  }
  if (pair.userMask.length !== ctx.numUsers || pair.itemMask.length !== ctx.numItems) {
    throw new ConfigError(`${plugin}: ${which} text masks do not match ${ctx.numUsers} users / ${ctx.numItems} items`);
  }
  return pair;
}
