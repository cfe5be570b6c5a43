/**
 * Child process for the SIGKILL resume test: extract tiny_beauty motivations against the fake server.
 * argv: <store path> <base URL>. Prints one line per settled record so the parent can time its kill.
 */
import { openStore } from '../../../src/data/store/store.js';
import { createOpenAiProvider } from '../../../src/text/llm/providers/openai.js';
import { extractMotivations } from '../../../src/text/llm/runner.js';
import { tinyBeauty } from './fixtures.js';

const [storePath, baseURL] = process.argv.slice(2);
const store = openStore(storePath);
const report = await extractMotivations({
  store, dataset: await tinyBeauty(), provider: createOpenAiProvider({ model: 'fake-model', baseURL }), kind: 'both',
  concurrency: 3, retries: 2, backoff: { baseDelayMs: 5, maxDelayMs: 20 },
  onProgress: (p) => process.stdout.write(`${p.phase} ${p.done}/${p.total}\n`),
});
process.stdout.write(`done ${report.requests}\n`);
store.close();
