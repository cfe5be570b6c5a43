/**
 * The tokenizer of the built-in TF-IDF encoder: NFKC, lowercase, runs of Unicode letters / marks / digits
 * (so "café", "naïve" and "Ünïcödé" stay whole words in any script), tokens shorter than two characters
 * dropped, English stopwords removed, and optionally adjacent-pair bigrams formed after stopword removal.
 */
export interface TokenizeOptions {
  stopwords: boolean;
  bigrams: boolean;
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * English function words (our own list: pronouns, auxiliaries, determiners, prepositions, conjunctions and
 * the most frequent adverbs). Content words common in reviews ("good", "book") stay: the IDF weights them.
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below ' +
    'between both but by can cannot could couldn did didn do does doesn doing don down during each either else ' +
    'ever few for from further had hadn has hasn have haven having he her here hers herself him himself his how ' +
    'however i if in into is isn it its itself just let ll me might more most much must mustn my myself neither ' +
    'no nor not now of off on once only or other otherwise ought our ours ourselves out over own re same shan ' +
    'she should shouldn so some such than that the their theirs them themselves then there these they this ' +
    'those through thus to too under until up upon us ve very was wasn we were weren what when where whether ' +
    'which while who whom whose why will with within without won would wouldn yet you your yours yourself ' +
    'yourselves'
  ).split(' '),
);

/** Terms of one text, in order; bigrams (when on) follow the unigrams as "left right". */
export function tokenize(text: string, opts: TokenizeOptions): string[] {
  const words: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    const w = m[0];
    if (w.length < 2) continue;
    if (opts.stopwords && ENGLISH_STOPWORDS.has(w)) continue;
    words.push(w);
  }
  if (!opts.bigrams) return words;
  const n = words.length;
  for (let i = 0; i + 1 < n; i++) words.push(`${words[i]} ${words[i + 1]}`);
  return words;
}
