import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src/data/store/store.js';
import { startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const CHILD = join(import.meta.dirname, 'extract-child.ts');

function startChild(storePath: string, baseURL: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, storePath, baseURL], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, out: () => out, err: () => err };
}

function okCount(storePath: string): number {
  const s = openStore(storePath);
  try {
    return (s.db.prepare("SELECT COUNT(*) AS n FROM llm_outputs WHERE status = 'ok'").get() as { n: number }).n;
  } finally {
    s.close();
  }
}

test('SIGKILL mid-run loses only in-flight requests; the re-run completes every record exactly once', async () => {
  const dir = tempDir('resume');
  const storePath = join(dir, 'lmmrec.sqlite');
  const server = await startFakeOpenAiServer({ defaultDelayMs: 40 });
  try {
    const first = startChild(storePath, server.baseURL);
    // Kill once a dozen answers are settled (items done, users under way).
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if ((first.out().match(/\n/g)?.length ?? 0) >= 14) { clearInterval(t); resolve(); }
      }, 5);
      void first.exited.then(() => { clearInterval(t); reject(new Error(`child exited early: ${first.err()}`)); });
    });
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    const committed = okCount(storePath);
    const callsBefore = server.chatCalls.length;
    assert.ok(committed >= 8 && committed < 45, `committed ${committed}`);

    const second = startChild(storePath, server.baseURL);
    const { code } = await second.exited;
    assert.equal(code, 0, second.err());
    const secondRequests = Number(/done (\d+)/.exec(second.out())![1]);
    // Everything committed before the kill is reused; everything else (in-flight included) is asked again.
    assert.equal(secondRequests, 45 - committed);
    assert.equal(server.chatCalls.length, callsBefore + secondRequests);
    assert.equal(new Set(server.chatCalls.map((c) => c.lastUser)).size, 45);

    const s = openStore(storePath);
    try {
      const statuses = s.db.prepare('SELECT status, COUNT(*) AS n FROM llm_outputs GROUP BY status ORDER BY status').all();
      assert.deepEqual(statuses, [{ status: 'ok', n: 45 }, { status: 'skipped-empty', n: 1 }]);
      const entities = s.db.prepare('SELECT kind, COUNT(*) AS n, COUNT(DISTINCT entity) AS d FROM llm_entity_outputs GROUP BY kind ORDER BY kind').all();
      assert.deepEqual(entities, [{ kind: 'item', n: 17, d: 17 }, { kind: 'user', n: 30, d: 30 }]);
      const runs = s.db.prepare('SELECT status FROM llm_runs ORDER BY id').all();
      assert.deepEqual(runs, [{ status: 'running' }, { status: 'done' }]);
    } finally {
      s.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
