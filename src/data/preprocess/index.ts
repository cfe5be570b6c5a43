export { filterByRating } from './filter.js';
export { dedupPairs, type DedupKeep } from './dedup.js';
export { kcore, type KcoreOptions } from './kcore.js';
export { densify, type IdOrder } from './densify.js';
export { SplitSpec, parseSplitSpec, partSizes, splitInteractions, type SplitParts } from './split.js';
export { CountsSchema, InputFileSchema, ManifestSchema, StepSchema, describeInputs, lmmrecVersion, type InputFile, type Manifest } from './manifest.js';
export { mapToTsv, pairsToTsv, writeDirAtomic, writeSplit, type PreparedSplit, type WriteOptions } from './write.js';
export { PrepOptions, prepareSplit, type PrepContext } from './pipeline.js';
export type { Counts, DenseInteractions, SplitPairs, StepRecord, StepResult } from './records.js';
