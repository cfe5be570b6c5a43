/**
 * Writes a tiny, complete transformers.js model directory for offline tests: a BERT-style WordPiece
 * tokenizer and an ONNX graph whose "encoder" is only an embedding lookup masked by the attention mask:
 *
 *   last_hidden_state = Gather(E, input_ids) * Unsqueeze(Cast(attention_mask, float), -1)
 *
 * so a mean-pooled sentence vector is exactly the mean of the rows of E for its tokens, computable by hand.
 * The ONNX file is serialised with a minimal protobuf writer (no onnx/protobuf dependency).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;
export const WORDS = ['the', 'book', 'is', 'great', 'boring', 'story', 'love', 'this', '##s', 'plot'] as const;
export const VOCAB: readonly string[] = [...SPECIAL, ...WORDS];
export const HIDDEN = 8;

/** Embedding table: small exact binary fractions so float32 holds them without rounding. */
export function embeddingRow(token: number): number[] {
  return Array.from({ length: HIDDEN }, (_, h) => (((token + 1) * (h + 3) + token * token) % 13) / 4 - 1.5);
}

// ---- minimal protobuf writer (proto3 wire format) ----
type Bytes = number[];
function varint(n: number): Bytes {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`varint: ${n}`);
  const out: Bytes = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wire: number): Bytes => varint(field * 8 + wire);
const int = (field: number, v: number): Bytes => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: Bytes | Uint8Array): Bytes => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string): Bytes => bytes(field, [...Buffer.from(s, 'utf8')]);

const FLOAT = 1, INT64 = 7;

function tensor(name: string, dims: number[], dataType: number, raw: Uint8Array): Bytes {
  return [...dims.flatMap((d) => int(1, d)), ...int(2, dataType), ...str(8, name), ...bytes(9, raw)];
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Bytes {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, elemType), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

function node(op: string, inputs: string[], outputs: string[], attrs: Bytes[] = []): Bytes {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, `${op}_0`), ...str(4, op), ...attrs.flatMap((a) => bytes(5, a))];
}

/** AttributeProto of type INT (2). */
const intAttr = (name: string, v: number): Bytes => [...str(1, name), ...int(3, v), ...int(20, 2)];

export function tinyOnnxModel(): Uint8Array {
  const table = new Float32Array(VOCAB.length * HIDDEN);
  VOCAB.forEach((_, t) => table.set(embeddingRow(t), t * HIDDEN));
  const axes = new Uint8Array(new BigInt64Array([-1n]).buffer);
  const graph = [
    ...bytes(1, node('Gather', ['embeddings', 'input_ids'], ['gathered'])),
    ...bytes(1, node('Cast', ['attention_mask'], ['mask_f'], [intAttr('to', FLOAT)])),
    ...bytes(1, node('Unsqueeze', ['mask_f', 'axes'], ['mask_3d'])),
    ...bytes(1, node('Mul', ['gathered', 'mask_3d'], ['last_hidden_state'])),
    ...str(2, 'tiny_bert'),
    ...bytes(5, tensor('embeddings', [VOCAB.length, HIDDEN], FLOAT, new Uint8Array(table.buffer))),
    ...bytes(5, tensor('axes', [1], INT64, axes)),
    ...bytes(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    ...bytes(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    ...bytes(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', HIDDEN])),
  ];
  const model = [...int(1, 8), ...str(2, 'lmmrec-test'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])];
  return Uint8Array.from(model);
}

function tokenizerJson(): unknown {
  const special = (id: number, content: string): unknown => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t, i) => special(i, t)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])),
    },
  };
}

/** Write the model directory; `omit` leaves one file out (to test the missing-file error). */
export function writeTinyBert(dir: string, omit?: string): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const files: Record<string, string | Uint8Array> = {
    'config.json': JSON.stringify({
      model_type: 'bert', architectures: ['BertModel'], hidden_size: HIDDEN, num_hidden_layers: 1, num_attention_heads: 1,
      intermediate_size: HIDDEN, vocab_size: VOCAB.length, max_position_embeddings: 32, type_vocab_size: 1, pad_token_id: 0,
    }),
    'tokenizer.json': JSON.stringify(tokenizerJson()),
    'tokenizer_config.json': JSON.stringify({
      tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 32,
      pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]',
    }),
    'onnx/model.onnx': tinyOnnxModel(),
  };
  for (const [name, content] of Object.entries(files)) if (name !== omit) writeFileSync(join(dir, name), content);
}
