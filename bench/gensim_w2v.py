"""Train word2vec with gensim (Debian python3-gensim) and report words/s.
usage: gensim_w2v.py CORPUS OUT.txt THREADS sg|cbow [iterable|corpus_file]"""
import sys, time, logging
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

corpus, out, threads, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
feed = sys.argv[5] if len(sys.argv) > 5 else "corpus_file"
sg = 1 if mode == "sg" else 0
alpha = 0.025 if sg else 0.05
t0 = time.monotonic()
kw = dict(vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=5, epochs=5,
          workers=threads, sg=sg, alpha=alpha, seed=1)
if feed == "corpus_file":
    m = Word2Vec(corpus_file=corpus, **kw)
else:
    m = Word2Vec(sentences=LineSentence(corpus), **kw)
el = time.monotonic() - t0
m.wv.save_word2vec_format(out)
words = m.corpus_total_words * 5
print(f"gensim {mode} threads={threads} feed={feed} seconds={el:.2f} words_per_sec={words/el:.0f}")
