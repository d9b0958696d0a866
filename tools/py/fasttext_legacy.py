"""Rewrites a fastText .bin (format 12) in the layout fastText wrote before its magic number and
version (the 2016 wiki.*.bin models): no magic and version, no prune-index size after the token
count, no quantisation flag before either matrix; the layout gensim's load_facebook_model reads
as its "old format". For tests/wrong_results.sh.
    fasttext_legacy.py NEW.bin LEGACY.bin"""
import struct
import sys

b = open(sys.argv[1], "rb").read()
magic, version = struct.unpack_from("<2i", b, 0)
assert magic == 793712314
out = bytearray(b[8:8 + 12 * 4 + 8])
at = 8 + 12 * 4 + 8
size, nwords, nlabels = struct.unpack_from("<3i", b, at); at += 12
ntokens, prune = struct.unpack_from("<2q", b, at); at += 16
assert prune in (-1, 0)
out += struct.pack("<3iq", size, nwords, nlabels, ntokens)
for i in range(size):
    z = b.index(b"\0", at)
    out += b[at:z + 1 + 9]
    at = z + 1 + 9
assert b[at] == 0; at += 1   # quant flag
m, n = struct.unpack_from("<2q", b, at)
out += b[at:at + 16 + m * n * 4]; at += 16 + m * n * 4
assert b[at] == 0; at += 1   # quant flag of the output matrix
out += b[at:]
open(sys.argv[2], "wb").write(out)
