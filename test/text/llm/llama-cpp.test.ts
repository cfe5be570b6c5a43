import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLlamaCppProvider } from '../../../src/text/llm/providers/llama-cpp.js';
import { DEFAULT_SAMPLING } from '../../../src/text/llm/providers/types.js';
import { ConfigError } from '../../../src/util/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('without node-llama-cpp installed: a clear message naming the package version and --model-path', async () => {
  await assert.rejects(createLlamaCppProvider({ modelPath: 'model.gguf' }), (e: unknown) =>
    e instanceof ConfigError && e.message.includes('install node-llama-cpp@3.21.1 and pass --model-path'));
});

test('with the package but no model path, or a missing file: say what to pass', async () => {
  const load = async () => ({});
  await assert.rejects(createLlamaCppProvider({ load }), /needs a GGUF model: pass --model-path <file\.gguf>/);
  await assert.rejects(createLlamaCppProvider({ load, modelPath: '/nonexistent/m.gguf' }), /--model-path \/nonexistent\/m\.gguf: file not found/);
});

test('adapter: system prompt, grammar from the JSON schema, sampling, one request at a time', async () => {
  const dir = tempDir('llama');
  const modelPath = join(dir, 'tiny.gguf');
  writeFileSync(modelPath, 'GGUF');
  const seen: { system?: string; text: string; grammar: unknown; temperature: number; maxTokens: number }[] = [];
  let active = 0, maxActive = 0, disposed = 0;
  const fake = {
    getLlama: async () => ({
      loadModel: async () => ({
        createContext: async () => ({ getSequence: () => ({ dispose: () => { disposed++; } }), dispose: async () => {} }),
        tokenize: (t: string) => t.split(/\s+/),
        dispose: async () => {},
      }),
      createGrammarForJsonSchema: async (schema: unknown) => ({ grammarFor: schema }),
    }),
    LlamaChatSession: class {
      constructor(private o: { systemPrompt?: string }) {}
      async prompt(text: string, opts: { grammar: unknown; temperature: number; maxTokens: number }) {
        active++; maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        seen.push({ system: this.o.systemPrompt, text, ...opts });
        return '{"reasoning": "r", "motivations": [], "summary": "None"}';
      }
      dispose() {}
    },
  };
  const p = await createLlamaCppProvider({ modelPath, load: async () => fake });
  assert.equal(p.name, 'llama-cpp');
  assert.equal(p.model, 'tiny.gguf');
  const schema = { name: 'motivations', jsonSchema: { type: 'object' } };
  const req = { messages: [{ role: 'system' as const, content: 'SYS' }, { role: 'user' as const, content: 'DATA' }], schema, sampling: DEFAULT_SAMPLING };
  const signal = new AbortController().signal;
  const results = await Promise.all([p.chat(req, signal), p.chat(req, signal), p.chat(req, signal)]);
  assert.equal(maxActive, 1);
  assert.equal(disposed, 3);
  assert.equal(results[0].text, '{"reasoning": "r", "motivations": [], "summary": "None"}');
  assert.equal(results[0].completionTokens, 6);
  assert.equal(seen[0].system, 'SYS');
  assert.equal(seen[0].text, 'Input:\nDATA');
  assert.deepEqual(seen[0].grammar, { grammarFor: { type: 'object' } });
  assert.equal(seen[0].maxTokens, DEFAULT_SAMPLING.maxTokens);
  await p.close!();
});
