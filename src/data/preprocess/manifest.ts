import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { VERSION } from '../../util/version.js';
import { sha256File } from '../../util/hash.js';

const Count = z.int().nonnegative();

export const CountsSchema = z.strictObject({ users: Count, items: Count, interactions: Count });

export const StepSchema = z.strictObject({
  name: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  in: CountsSchema,
  out: CountsSchema,
  details: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
});

export const InputFileSchema = z.strictObject({
  /** As given by the user (not resolved), so manifests do not leak or depend on the machine's layout. */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: Count,
});
export type InputFile = z.infer<typeof InputFileSchema>;

/**
 * `manifest.json` of a prepared data folder: where the data came from (input hashes), every step with its
 * parameters and counts in order, and the resulting sizes. `kind: 'noise'` folders repeat their source's
 * steps (when the source had a manifest) and append the noise step.
 */
export const ManifestSchema = z.strictObject({
  format: z.literal('lmmrec-data/1'),
  kind: z.enum(['split', 'noise']),
  lmmrecVersion: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** The run seed random steps derive their streams from (recorded even when every step was deterministic). */
  seed: z.int(),
  inputs: z.array(InputFileSchema),
  steps: z.array(StepSchema),
  output: z.strictObject({ users: Count, items: Count, train: Count, valid: Count, test: Count }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The package version, recorded in every manifest. */
export function lmmrecVersion(): string {
  return VERSION;
}

export async function describeInputs(paths: readonly string[]): Promise<InputFile[]> {
  return Promise.all(paths.map(async (path) => ({ path, sha256: await sha256File(path), bytes: (await stat(path)).size })));
}
