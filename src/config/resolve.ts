import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../util/errors.js';

type Plain = Record<string, unknown>;

export interface ResolveOptions {
  /** Preset name (validated against `presets`). */
  preset?: string;
  /** Parsed config file contents (see `readConfigFile`). */
  file?: { path: string; value: unknown };
  /** `a.b=c` overrides; values are YAML scalars/flow values (`3`, `1e-3`, `true`, `[5,10]`, `"x"`). */
  set?: string[];
}

/**
 * Resolve defaults < preset < file < --set into one validated value. Errors name the source of the bad key
 * (file path or `--set a.b=c`) and, for unknown keys, list the valid ones.
 */
export function resolveConfig<S extends z.ZodType>(
  schema: S,
  presets: Readonly<Record<string, unknown>>,
  opts: ResolveOptions = {},
): z.infer<S> {
  let merged: Plain = {};
  if (opts.preset !== undefined) {
    const p = presets[opts.preset];
    if (p === undefined) {
      throw new ConfigError(`unknown preset "${opts.preset}"; valid presets: ${Object.keys(presets).join(', ')}`);
    }
    merged = deepMerge(merged, p as Plain);
  }
  if (opts.file) {
    const v = opts.file.value ?? {};
    if (!isPlain(v)) throw new ConfigError(`${opts.file.path}: the config must be a mapping of keys to values`);
    check(schema, deepMerge({}, v), opts.file.path);
    merged = deepMerge(merged, v);
  }
  for (const s of opts.set ?? []) merged = deepMerge(merged, parseSet(s));
  return check(schema, merged, opts.set?.length ? 'the merged config (after --set)' : 'config');
}

export async function readConfigFile(path: string): Promise<{ path: string; value: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file (${(e as Error).message})`, { cause: e });
  }
  try {
    return { path, value: path.endsWith('.json') ? JSON.parse(text) : parseYaml(text) };
  } catch (e) {
    throw new ConfigError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`, { cause: e });
  }
}

/** `a.b=c` → `{ a: { b: <c parsed as YAML> } }`. */
export function parseSet(s: string): Plain {
  const eq = s.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set ${s}: expected key=value, e.g. --set train.lr=1e-3`);
  const path = s.slice(0, eq).split('.');
  if (path.some((p) => p === '')) throw new ConfigError(`--set ${s}: empty key segment`);
  let value: unknown;
  try {
    value = parseYaml(s.slice(eq + 1));
  } catch (e) {
    throw new ConfigError(`--set ${s}: value is not a valid YAML scalar (${(e as Error).message})`, { cause: e });
  }
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out as Plain;
}

function check<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys') {
      const valid = validKeys(schema, i.path.map(String));
      return `${where}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}${valid ? `; valid keys: ${valid}` : ''}`;
    }
    return `${where}: ${i.message}`;
  });
  throw new ConfigError(`${source}: invalid configuration\n  ${lines.join('\n  ')}`);
}

/** Keys accepted at `path`, read from the schema's JSON Schema so nested objects are covered. */
function validKeys(schema: z.ZodType, path: string[]): string | undefined {
  let node = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  for (const p of path) {
    const next = node.properties?.[p] as typeof node | undefined;
    if (!next) return undefined;
    node = next;
  }
  return node.properties ? Object.keys(node.properties).join(', ') : undefined;
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Plain, v) : v;
  }
  return out;
}
