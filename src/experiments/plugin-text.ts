import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { PluginText, TextInputName, TextPair } from '../models/plugins/context.js';
import { toSharedF32 } from '../tensor/tensor.js';
import { readTextMatrices } from '../text/encoders/embed.js';
import { ConfigError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';

const TextInput = (matrix: 'S' | 'M') =>
  z.strictObject({
    /** A matrices file written by `lmmrec text embed --out`. */
    file: z.string().min(1),
    /** Which of its matrices: S (profiles / summaries) or M (motivation lists). */
    matrix: z.enum(['S', 'M']).default(matrix),
  });

/**
 * The run config's `text` section: where the plug-ins' frozen text embeddings come from (method.md §B.1).
 * `semantic` feeds S (RLMRec-Con/Gen, L_sem); `motivation` feeds M (L_align, MCS, ITC).
 */
export const TextInputConfig = z
  .strictObject({
    semantic: TextInput('S').optional(),
    motivation: TextInput('M').optional(),
  })
  .prefault({});
export type TextInputConfig = z.infer<typeof TextInputConfig>;

/**
 * Read the configured matrices files into plain matrices for the plug-ins, checking they were embedded for
 * a dataset of this shape; also returns each file's sha256 (checkpoint metadata) and the sha256 of the
 * matrix the run reads (`contentHashes`: equal for two files embedded alike at different times, whose
 * headers differ). A file without the configured matrix leaves that input absent, with the reason in `missing`.
 */
export async function loadPluginText(cfg: TextInputConfig, data: { numUsers: number; numItems: number }): Promise<{
  text: PluginText; hashes: Record<string, string>; contentHashes: Record<string, string>;
}> {
  const text: { semantic?: TextPair; motivation?: TextPair; missing: Partial<Record<TextInputName, string>> } = { missing: {} };
  const hashes: Record<string, string> = {}, contentHashes: Record<string, string> = {};
  for (const which of ['semantic', 'motivation'] as const) {
    const input = cfg[which];
    if (!input) continue;
    const path = resolve(input.file);
    const file = await readTextMatrices(path);
    const { numUsers, numItems, dim, source } = file.meta;
    if (numUsers !== data.numUsers || numItems !== data.numItems) {
      throw new ConfigError(`text.${which}.file ${input.file}: embedded for ${numUsers} users × ${numItems} items, the data has ${data.numUsers} × ${data.numItems}`);
    }
    const users = file.get(input.matrix, 'users'), items = file.get(input.matrix, 'items');
    if (!users || !items) {
      // Only an error for a plug-in that reads this input (RLMRec-Con never reads M).
      text.missing[which] = `text.${which}.file ${input.file} has no ${input.matrix} matrix (embedded from --source ${source}); ` +
        (input.matrix === 'M' ? 'embed motivations, or use its S with --set text.motivation.matrix=S' : 'use --set text.semantic.matrix=M');
      continue;
    }
    text[which] = {
      // Shared memory, so the worker kernels read the rows without staging copies every step.
      users: { rows: numUsers, cols: dim, data: toSharedF32(users.matrix) }, items: { rows: numItems, cols: dim, data: toSharedF32(items.matrix) },
      userMask: users.hasText, itemMask: items.hasText,
    };
    hashes[`text.${which}`] = await sha256File(path);
    contentHashes[`text.${which}`] = matrixHash(users, items);
  }
  return { text, hashes, contentHashes };
}

/** sha256 of one matrix of a text-matrices file (`S` or `M`), or undefined when the file lacks it. */
export async function textMatrixHash(path: string, matrix: 'S' | 'M'): Promise<string | undefined> {
  const file = await readTextMatrices(path);
  const users = file.get(matrix, 'users'), items = file.get(matrix, 'items');
  return users && items ? matrixHash(users, items) : undefined;
}

function matrixHash(...sides: { matrix: Float32Array; hasText: Uint8Array }[]): string {
  const h = createHash('sha256');
  for (const s of sides) {
    h.update(new Uint8Array(s.matrix.buffer, s.matrix.byteOffset, s.matrix.byteLength));
    h.update(s.hasText);
  }
  return h.digest('hex');
}
