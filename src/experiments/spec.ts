import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TEXT_SOURCES } from '../text/encoders/sources.js';
import { ConfigError } from '../util/errors.js';

/** Ids that become parts of run directory names. */
const Slug = z.string().regex(/^[a-z0-9][a-z0-9_.+-]*$/i, 'use letters, digits and _ . + - only');

/**
 * Config overrides with the keys of a run config: nested (`train: { lr: 1e-3 }`) or dotted like `--set`
 * (`plugin.lmmrec.useMCS: false`). Checked against the run config schema when the matrix is planned, so
 * plug-ins registered later need no change here.
 */
const Overrides = z.record(z.string(), z.unknown()).default({});

/** A prepare step: the library function behind an `lmmrec` command, run once per dataset and cached. */
export const PrepareStep = z.discriminatedUnion('step', [
  z.strictObject({
    /** `lmmrec llm extract`: motivations of items, then users, into the workspace store. */
    step: z.literal('llm-extract'),
    /** Only the offline rule-based extractor runs unattended inside an experiment. */
    provider: z.literal('rules'),
    kind: z.enum(['items', 'users', 'both']).default('both'),
    promptVersion: z.string().min(1).default('v1'),
  }),
  z.strictObject({
    /** `lmmrec text embed --out`: S (and M for motivations) matrices, referenced by `name` in `text`. */
    step: z.literal('text-embed'),
    name: Slug,
    source: z.enum(TEXT_SOURCES),
    encoder: z.literal('tfidf-svd').default('tfidf-svd'),
    dim: z.int().positive().optional(),
    seed: z.int().optional(),
    /** tfidf-svd's fitting corpus (`text embed --fit-on`); absent = all texts. */
    fitOn: z.enum(['all', 'items']).optional(),
    /** Motivations: which extraction provider's outputs (default: the dataset's llm-extract step, if any). */
    llmProvider: z.string().optional(),
  }),
]);
export type PrepareStep = z.infer<typeof PrepareStep>;

const TextRef = z
  .strictObject({
    /** Name of a text-embed step of this dataset… */
    prepared: Slug.optional(),
    /** …or a matrices file written by `lmmrec text embed --out` (relative to the spec file). */
    file: z.string().min(1).optional(),
    matrix: z.enum(['S', 'M']).optional(),
  })
  .refine((r) => (r.prepared === undefined) !== (r.file === undefined), 'give exactly one of "prepared" and "file"');

export const DatasetSpec = z.strictObject({
  /** Short name used in run ids and tables. */
  id: Slug,
  /** Dataset folder: absolute, `./`/`../` relative to the spec file, or a folder name under the data roots. */
  dir: z.string().min(1),
  prepare: z.array(PrepareStep).default([]),
  text: z.strictObject({ semantic: TextRef.optional(), motivation: TextRef.optional() }).prefault({}),
  /** Overrides for every run on this dataset (between the spec's `base` and the arm's `set`). */
  set: Overrides,
});
export type DatasetSpec = z.infer<typeof DatasetSpec>;

export const ArmSpec = z.strictObject({
  name: Slug,
  description: z.string().optional(),
  set: Overrides,
  /** Reference arm for this arm's relative gain and significance (default: the spec's `baseline`). */
  baseline: Slug.optional(),
});
export type ArmSpec = z.infer<typeof ArmSpec>;

/**
 * An arm tested against the best of its rivals (default: every other arm). Several focus arms each name their
 * own rivals, e.g. LMMRec on each base model against the other plug-ins on that base.
 */
const FocusSpec = z.strictObject({ arm: Slug, against: z.array(Slug).nonempty().optional() });
export type FocusSpec = z.infer<typeof FocusSpec>;

/**
 * A choice the report makes on validation data (a weight sweep): of the `from` arms, the one with the best
 * validation value of the early-stopping metric, averaged over seeds and then over the datasets whose candidate
 * runs have all finished, is picked (select.ts); a tie goes to the arm listed first. Test metrics play no part.
 */
const SelectSpec = z.strictObject({ name: Slug, from: z.array(Slug).min(2) });
export type SelectSpec = z.infer<typeof SelectSpec>;

const MetricName = z.enum(['recall', 'ndcg']);
const MetricKeyRe = /^(recall|ndcg)@[1-9][0-9]*$/;

export const ExperimentSpec = z
  .strictObject({
    name: Slug,
    description: z.string().default(''),
    /** Statements the report prints under the description: what the spec could not run and why, caveats of its data. */
    notes: z.array(z.string().min(1)).optional(),
    datasets: z.array(DatasetSpec).nonempty(),
    /** Run config overrides shared by every run (same keys as a run config / `--set`). */
    base: Overrides,
    arms: z.array(ArmSpec).nonempty(),
    seeds: z.array(z.int()).nonempty().default([1, 2, 3]),
    /** Noise rates (fractions of |train|, method.md §B.8); each rate has one noisy copy shared by every arm and seed. */
    noise: z.array(z.number().min(0).max(1)).nonempty().optional(),
    /** Seed of the noisy copies (not of the runs). */
    noiseSeed: z.int().default(2023),
    /** Reference arm for relative gains and paired significance. */
    baseline: Slug,
    /**
     * Arm(s) tested against the best other arm, or the best of their `against` list (default: the last arm
     * against every other arm). A name, or a list of names / `{ arm, against }`.
     */
    focus: z.union([Slug, z.array(z.union([Slug, FocusSpec])).nonempty()]).optional(),
    select: z.array(SelectSpec).optional(),
    metrics: z.array(MetricName).nonempty().default(['recall', 'ndcg']),
    ks: z.array(z.int().positive()).nonempty().default([5, 10, 20]),
    /** Per-user paired tests on these test metrics. */
    significance: z.array(z.string().regex(MetricKeyRe, 'expected recall@K or ndcg@K')).default(['recall@20', 'ndcg@20']),
  })
  .superRefine((s, ctx) => {
    const names = s.arms.map((a) => a.name);
    const dup = (list: (string | number)[]): (string | number)[] => list.filter((v, i) => list.indexOf(v) !== i);
    for (const n of dup(names)) ctx.addIssue({ code: 'custom', path: ['arms'], message: `arm "${n}" is listed twice` });
    for (const n of dup(s.datasets.map((d) => d.id))) ctx.addIssue({ code: 'custom', path: ['datasets'], message: `dataset id "${n}" is listed twice` });
    for (const n of dup(s.seeds)) ctx.addIssue({ code: 'custom', path: ['seeds'], message: `seed ${n} is listed twice` });
    if (s.noise) for (const n of dup(s.noise)) ctx.addIssue({ code: 'custom', path: ['noise'], message: `noise rate ${n} is listed twice` });
    const known = (path: (string | number)[], n: string | undefined): void => {
      if (n !== undefined && !names.includes(n)) ctx.addIssue({ code: 'custom', path, message: `unknown arm "${n}"; arms: ${names.join(', ')}` });
    };
    known(['baseline'], s.baseline);
    focusList(s).forEach((f, i) => {
      known(['focus', i, 'arm'], f.arm);
      f.against?.forEach((a, j) => known(['focus', i, 'against', j], a));
    });
    s.arms.forEach((a, i) => known(['arms', i, 'baseline'], a.baseline));
    s.select?.forEach((c, i) => c.from.forEach((a, j) => known(['select', i, 'from', j], a)));
    if (s.select) for (const n of dup(s.select.map((c) => c.name))) ctx.addIssue({ code: 'custom', path: ['select'], message: `selection "${n}" is listed twice` });
    s.datasets.forEach((d, i) => {
      const embeds = d.prepare.flatMap((p) => (p.step === 'text-embed' ? [p.name] : []));
      for (const n of dup(embeds)) ctx.addIssue({ code: 'custom', path: ['datasets', i, 'prepare'], message: `text-embed name "${n}" is used twice` });
      for (const which of ['semantic', 'motivation'] as const) {
        const p = d.text[which]?.prepared;
        if (p !== undefined && !embeds.includes(p)) {
          ctx.addIssue({ code: 'custom', path: ['datasets', i, 'text', which, 'prepared'], message: `no text-embed step named "${p}" (steps: ${embeds.join(', ') || 'none'})` });
        }
      }
    });
  });
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;

/** The spec's focus arms with their rivals (undefined = every other arm). */
export function focusList(s: Pick<ExperimentSpec, 'focus' | 'arms'>): FocusSpec[] {
  const f = s.focus ?? s.arms[s.arms.length - 1].name;
  return (Array.isArray(f) ? f : [f]).map((x) => (typeof x === 'string' ? { arm: x } : x));
}

/** Parse and validate a spec value; errors name the source (file) and the key path, listing valid keys when unknown. */
export function parseSpec(value: unknown, source: string): ExperimentSpec {
  const r = ExperimentSpec.safeParse(value ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
    return i.code === 'unrecognized_keys' ? `${where}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}` : `${where}: ${i.message}`;
  });
  throw new ConfigError(`${source}: invalid experiment spec\n  ${lines.join('\n  ')}`);
}

/** Read a YAML (or JSON) spec file. */
export async function loadSpec(path: string): Promise<ExperimentSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read experiment spec (${(e as Error).message})`, { cause: e });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  return parseSpec(value, path);
}

type Plain = Record<string, unknown>;

/** `{ 'a.b': 1, c: { d: 2 } }` → `{ a: { b: 1 }, c: { d: 2 } }`, merged over `base`. */
export function mergeOverrides(base: Plain, over: Plain): Plain {
  let out = base;
  for (const [key, value] of Object.entries(over)) {
    const path = key.split('.');
    let nested: unknown = isPlain(value) ? mergeOverrides({}, value) : value;
    for (let i = path.length - 1; i >= 0; i--) nested = { [path[i]]: nested };
    out = deepMerge(out, nested as Plain);
  }
  return out;
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Plain, v) : v;
  return out;
}
