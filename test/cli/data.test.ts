import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { test } from 'node:test';
import { workspaceStorePath } from '../../src/cli/data.js';
import { buildProgram } from '../../src/cli/program.js';
import { openStore } from '../../src/data/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');
const ws = tempDir('cli-data');

/** Run `lmmrec <args>` against a fresh program, capturing console.log. */
const run = (args: string[]): Promise<string> => runCli(args);

test('the data noun carries the inspection and preparation verbs', () => {
  const data = buildProgram().commands.find((c) => c.name() === 'data');
  assert.deepEqual(data?.commands.map((c) => c.name()), ['stats', 'import', 'split', 'noise']);
});

test('data stats --json prints the stats of a folder', async () => {
  const s = JSON.parse(await run(['data', 'stats', join(FIXTURES, 'tiny_amazon_book'), '--json'])) as Record<string, unknown>;
  assert.deepEqual([s.users, s.items, s.train, s.valid, s.test], [40, 468, 306, 131, 131]);
});

test('data stats prints a readable table', async () => {
  const text = await run(['data', 'stats', join(FIXTURES, 'tiny_beauty')]);
  assert.match(text, /train \/ valid \/ test\s+82 \/ 30 \/ 30/);
  assert.match(text, /reviews\s+142 \(142 with text\), 30 users, 17 items/);
});

test('data import writes <workspace>/lmmrec.sqlite; a second import needs --replace', async () => {
  const dir = join(FIXTURES, 'tiny_beauty');
  assert.match(await run(['data', 'import', dir, '--workspace', ws, '--name', 'b']), /imported "b" \(id 1\)/);
  await assert.rejects(run(['data', 'import', dir, '--workspace', ws, '--name', 'b']), /already exists/);
  assert.match(await run(['data', 'import', dir, '--workspace', ws, '--name', 'b', '--replace']), /replaced "b"/);
  const store = openStore(workspaceStorePath(ws));
  try {
    assert.deepEqual(store.db.prepare('SELECT name, num_users FROM datasets').all(), [{ name: 'b', num_users: 30 }]);
  } finally {
    store.close();
  }
});
