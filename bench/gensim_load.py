"""Time gensim's word2vec-format loader on a file (peer for bench/bench_load.c).
usage: gensim_load.py FILE [binary]"""
import sys, time
from gensim.models import KeyedVectors
t0 = time.monotonic()
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=len(sys.argv) > 2)
print(f"gensim load {sys.argv[1]}: {time.monotonic() - t0:.2f}s, {len(kv)} x {kv.vector_size}")
