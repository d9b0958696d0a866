"""Token ids as Hugging Face `tokenizers` computes them, printed as `latent tokenize` prints them.

    tok_oracle.py TOKENIZER_JSON LINES.jsonl [--offsets]
    tok_oracle.py TOKENIZER_JSON IDS.txt --decode [--skip-special]
    tok_oracle.py --same A B        (the JSON values of two files' lines: prints how many differ)

LINES.jsonl holds one JSON string per line. Each output line is the JSON array of that input's
ids with the post-processor's special tokens, untruncated and unpadded (whatever truncation or
padding the file sets is switched off). With --offsets each line is instead an object
{"ids": [...], "offsets": [[start, stop], ...]} with byte offsets into the UTF-8 input, as
`latent tokenize --offsets` prints them. With --decode each line of IDS.txt is a JSON array of
ids and each output line the JSON string tokenizers' decode gives for it (skipping special
tokens with --skip-special), as `latent tokenize --decode [--no-special]` prints it. The first
line on stderr names the version used.
"""
import json
import sys

import tokenizers


def byte_offsets(text, offsets):
    # tokenizers reports offsets in Unicode code points of the input; latent in UTF-8 bytes
    pos = [0]
    for ch in text:
        pos.append(pos[-1] + len(ch.encode("utf-8", "surrogatepass")))
    return [[pos[a], pos[b]] for a, b in offsets]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    want_offsets = "--offsets" in sys.argv[1:]
    if "--same" in sys.argv[1:]:
        with open(args[0], encoding="utf-8") as a, open(args[1], encoding="utf-8") as b:
            x, y = a.read().splitlines(), b.read().splitlines()
        print(abs(len(x) - len(y)) + sum(json.loads(p) != json.loads(q) for p, q in zip(x, y)))
        return
    if len(args) != 2:
        sys.exit(__doc__)
    tok = tokenizers.Tokenizer.from_file(args[0])
    tok.no_truncation()
    tok.no_padding()
    print(f"tokenizers {tokenizers.__version__}", file=sys.stderr)
    out = sys.stdout
    if "--decode" in sys.argv[1:]:
        skip = "--skip-special" in sys.argv[1:]
        with open(args[1], encoding="utf-8") as f:
            for line in f:
                out.write(json.dumps(tok.decode(json.loads(line), skip_special_tokens=skip), ensure_ascii=False) + "\n")
        return
    with open(args[1], encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)
            enc = tok.encode(text, add_special_tokens=True)
            if want_offsets:
                rec = {"ids": enc.ids, "offsets": byte_offsets(text, enc.offsets)}
                out.write(json.dumps(rec, separators=(", ", ": ")) + "\n")
            else:
                out.write(json.dumps(enc.ids) + "\n")


if __name__ == "__main__":
    main()
