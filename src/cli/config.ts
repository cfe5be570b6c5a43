import { Command } from 'commander';
import { stringify } from 'yaml';
import { PRESETS, RunConfig } from '../config/run-config.js';
import { readConfigFile, resolveConfig } from '../config/resolve.js';
import { collect } from './options.js';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect configuration');
  config
    .command('print')
    .description('print the resolved run config (defaults < --preset < file < --set)')
    .argument('[file]', 'YAML or JSON config file')
    .option('--preset <name>', `named preset (${Object.keys(PRESETS).join(', ')})`)
    .option('--set <key=value>', 'override one key, e.g. train.lr=1e-3 (repeatable)', collect, [] as string[])
    .option('--json', 'print JSON instead of YAML')
    .option('--schema', 'print the JSON Schema of the config instead')
    .action(async (file: string | undefined, opts: { preset?: string; set: string[]; json?: boolean; schema?: boolean }) => {
      if (opts.schema) {
        console.log(JSON.stringify(RunConfig.toJSONSchema({ io: 'input' }), null, 2));
        return;
      }
      const resolved = resolveConfig(RunConfig, PRESETS, {
        preset: opts.preset,
        file: file ? await readConfigFile(file) : undefined,
        set: opts.set,
      });
      process.stdout.write(opts.json ? `${JSON.stringify(resolved, null, 2)}\n` : stringify(resolved));
    });
}
