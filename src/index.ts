/**
 * The public library API of lmmrec: re-exports only, no side effects. The CLI (src/cli) is a thin layer over
 * exactly these functions.
 */
export { LmmrecError, DataError, ConfigError, type ErrorCode, type Location } from './util/errors.js';
export { createRng, shuffle, type Rng } from './util/rng.js';
export { VERSION } from './util/version.js';

export { RunConfig, TrainConfig, EvalConfig, DataConfig, PRESETS } from './config/run-config.js';
export { resolveConfig, readConfigFile, parseSet, type ResolveOptions } from './config/resolve.js';

export type { Dataset, EntityTexts, Review } from './data/dataset.js';
export { csrFromPairs, transpose, rowOf, hasEntry, nnz, toPairs, type Csr } from './data/csr.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export { datasetStats, type DatasetStats } from './data/stats.js';
export { importDataset, type ImportOptions, type ImportResult } from './data/import.js';
export { injectNoise, writeNoisyCopy, type NoiseResult } from './data/noise.js';
export { sampleEpochTriples, type Triples } from './data/negatives.js';
export * as preprocess from './data/preprocess/index.js';
export { openStore, type Store } from './data/store/store.js';
export type { RawInteractions } from './data/readers/raw.js';

export { extractMotivations, type ExtractOptions, type ExtractReport } from './text/llm/runner.js';
export { createOpenAiProvider } from './text/llm/providers/openai.js';
export { createLlamaCppProvider } from './text/llm/providers/llama-cpp.js';
export { createRulesProvider } from './text/llm/providers/rules.js';
export { writeBatchRequests, ingestBatchResults } from './text/llm/batch.js';
export { MotivationOutput, Motivation, MOTIVATION_CATEGORIES } from './text/llm/schema.js';
export type { TextEncoder, EncoderName } from './text/encoders/types.js';
export { createTfidfSvdEncoder } from './text/encoders/tfidf-svd.js';
export { createOpenAIEncoder } from './text/encoders/openai.js';
export { createTransformersEncoder } from './text/encoders/transformers.js';
export { buildTextMatrices } from './text/encoders/matrices.js';
export { embedSource, readTextMatrices, writeTextMatrices } from './text/encoders/embed.js';

export { topK } from './tensor/topk.js';
export { createTape, createParam, type Tape, type Param, type Node } from './tensor/tape.js';
export { createAdam } from './tensor/adam.js';
export { scalarKernels } from './tensor/kernels/scalar.js';
export { createWorkerKernels } from './tensor/kernels/worker-kernels.js';
export * as ops from './tensor/fn.js';

export type { BaseModel, Plugin, Scorer, Batch, Embeddings } from './models/types.js';
export { MODELS, MODEL_NAMES, createModel } from './models/registry.js';
export { PLUGINS, PLUGIN_NAMES, createPlugins } from './models/plugin-registry.js';
export { createPopularityScorer } from './models/base/popularity.js';
export { createTextKnnScorer, type TextRows } from './models/base/text-knn.js';

export { trainModel, type TrainOptions, type TrainResult } from './train/trainer.js';
export { readSafetensors, writeSafetensors } from './train/safetensors.js';

export { evaluate, type EvalResult, type EvaluateOptions } from './eval/full-ranking.js';
export { probeText, type TextProbe, type TextProbeOptions } from './eval/text-probe.js';
export { RLMREC, PROTOCOLS, getProtocol, type Protocol } from './eval/protocol.js';
export { METRICS, DEFAULT_KS, parseMetricKey } from './eval/metrics.js';
export { pairedTTest, wilcoxonSignedRank, compareRuns } from './eval/significance.js';
export { readPerUserTsv, writePerUserTsv } from './eval/per-user.js';

export { trainRun, resumeTrainRun, type TrainRunConfig, type TrainRunResult } from './experiments/train-run.js';
