import { Command } from 'commander';
import { join } from 'node:path';
import { importDataset } from '../data/import.js';
import { loadDataset } from '../data/load.js';
import { datasetStats, type DatasetStats, type DegreeStats } from '../data/stats.js';
import { openStore } from '../data/store/store.js';
import { cliSignal } from './signal.js';

/** The workspace's store file. */
export function workspaceStorePath(workspace: string): string {
  return join(workspace, 'lmmrec.sqlite');
}

/** The `data` noun with its inspection verbs; data-prep.ts adds `split` and `noise` to the same node. */
export function registerDataCommand(program: Command): Command {
  const data = program.command('data').description('dataset folders: inspect, import into a workspace, split, inject noise');
  data
    .command('stats')
    .description('validate a dataset folder and print its statistics')
    .argument('<dir>', 'dataset folder (train/valid/test.tsv, optional maps, profiles, reviews)')
    .option('--json', 'print JSON instead of a table')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const stats = datasetStats(await loadDataset(dir, { signal: cliSignal() }));
      console.log(opts.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
    });
  data
    .command('import')
    .description('validate a dataset folder and store it (texts, reviews, manifest) in a workspace, in one transaction')
    .argument('<dir>', 'dataset folder')
    .requiredOption('--workspace <dir>', 'workspace folder (store file: <dir>/lmmrec.sqlite)')
    .option('--name <name>', 'dataset name (default: folder name)')
    .option('--replace', 'replace a dataset of the same name')
    .action(async (dir: string, opts: { workspace: string; name?: string; replace?: boolean }) => {
      const store = openStore(workspaceStorePath(opts.workspace));
      try {
        const r = await importDataset(store, dir, { name: opts.name, replace: opts.replace, signal: cliSignal() });
        const c = r.manifest.counts;
        console.log(
          `${r.replaced ? 'replaced' : 'imported'} "${r.name}" (id ${r.id}) into ${store.path}: ${c.users} users, ${c.items} items, ` +
            `train/valid/test ${c.train}/${c.valid}/${c.test}, texts ${c.userTexts} user + ${c.itemTexts} item, ${c.reviews} reviews`,
        );
      } finally {
        store.close();
      }
    });
  return data;
}

/** Human-readable stats table. */
export function formatStats(s: DatasetStats): string {
  const int = (n: number): string => n.toLocaleString('en-US');
  const deg = (d: DegreeStats): string => `min ${d.min}, median ${d.median}, mean ${d.mean.toFixed(2)}, max ${d.max}, zero ${int(d.zero)}`;
  const rows: [string, string][] = [
    ['dataset', s.name],
    ['users', int(s.users)],
    ['items', int(s.items)],
    ['train / valid / test', `${int(s.train)} / ${int(s.valid)} / ${int(s.test)}`],
    ['density (train, all)', `${s.density.toExponential(3)}, ${s.densityAll.toExponential(3)}`],
    ['users with valid / test', `${int(s.usersWithValid)} / ${int(s.usersWithTest)}`],
    ['user train degree', deg(s.userDegree)],
    ['item train degree', deg(s.itemDegree)],
  ];
  for (const [label, t] of [['user texts', s.userTexts], ['item texts', s.itemTexts]] as const) {
    if (t) rows.push([label, `${int(t.covered)} (${(100 * t.fraction).toFixed(1)} %) from ${t.source}`]);
  }
  if (s.reviews) {
    const r = s.reviews;
    rows.push(['reviews', `${int(r.count)} (${int(r.withText)} with text), ${int(r.usersCovered)} users, ${int(r.itemsCovered)} items`]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
