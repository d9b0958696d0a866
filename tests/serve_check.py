"""Checks of `latent serve` against the CLI (tests/serve.sh starts the server and calls this).

    serve_check.py routes URL LATENT EMB_DIR CROSS_DIR VECS INDEX SCRATCH
    serve_check.py concurrent URL LATENT EMB_DIR SCRATCH
    serve_check.py openai URL SCRATCH          (the official client, from the test venv)

Prints "ok NAME" or "FAIL NAME ..." per check. Only the standard library and numpy."""
import base64
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import numpy as np

SENTS = ["The cat sat on the mat.", "Ein Hund läuft über die Straße", "naïve café — 東京 🙂",
         "a", "Search engines rank documents by relevance to a query."]


def say(good, name, why=""):
    print(("ok " if good else "FAIL ") + name + ("" if good else " " + str(why)[:300]))


def http(url, body=None, method=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    r = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                               headers=headers or {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r, timeout=60) as f:
            return f.status, f.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def js(url, body=None, **kw):
    st, b = http(url, body, **kw)
    try:
        return st, json.loads(b)
    except ValueError:
        return st, b


def cli(latent, *args, stdin=None):
    return subprocess.run([latent, *args], input=stdin, capture_output=True, text=True, check=True).stdout


def cli_embed(latent, model, scratch, *extra):
    with open(f"{scratch}/in.txt", "w") as f:
        f.write("\n".join(SENTS) + "\n")
    cli(latent, "embed", model, "-i", f"{scratch}/in.txt", "-o", f"{scratch}/e.npy", "-q", "-t", "1", *extra)
    return np.load(f"{scratch}/e.npy")


def close(name, got, want, tol=1e-6):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        return say(False, name, f"shape {got.shape} vs {want.shape}")
    err = float(np.abs(got - want).max()) if got.size else 0.0
    say(err <= tol, f"{name} (max-abs {err:.1e})", f"max-abs {err:.2e} > {tol}")


def routes(url, latent, emb, cross, vecs, index, scratch):
    st, _ = js(url + "/health")
    say(st == 200, "GET /health 200")
    st, info = js(url + "/info")
    say(st == 200 and info["models"][0]["name"] == "emb" and "max_input_length" in info, "GET /info (TEI fields)", info)
    norm = info["models"][0]["normalize"]
    # /embed against `latent embed`: the folder's normalisation, none, Matryoshka
    want = cli_embed(latent, emb, scratch)
    st, got = js(url + "/embed", {"inputs": SENTS, "truncate": True, "normalize": norm})
    close("/embed == latent embed", got, want)
    st, got = js(url + "/embed", {"inputs": SENTS[0]})
    close("/embed one string (normalize default true)", got, want[:1] / np.linalg.norm(want[:1], axis=1, keepdims=True))
    raw = cli_embed(latent, emb, scratch, "--no-normalize")
    st, got = js(url + "/embed", {"inputs": SENTS, "normalize": False})
    close("/embed normalize false == --no-normalize", got, raw)
    d8 = cli_embed(latent, emb, scratch, "--dim", "8", "--normalize")
    st, got = js(url + "/embed", {"inputs": SENTS, "dimensions": 8})
    close("/embed dimensions 8 == --dim 8 --normalize", got, d8)
    # OpenAI's shape, float and base64
    st, o = js(url + "/v1/embeddings", {"input": SENTS, "model": "emb"})
    good = st == 200 and o["object"] == "list" and [d["index"] for d in o["data"]] == list(range(len(SENTS))) \
        and all(d["object"] == "embedding" for d in o["data"]) and o["model"] == "emb" \
        and o["usage"]["prompt_tokens"] == o["usage"]["total_tokens"] > 0
    say(good, "/v1/embeddings shape (object, data[].index, model, usage)", o)
    close("/v1/embeddings == latent embed", [d["embedding"] for d in o["data"]], want if norm else raw)
    st, o = js(url + "/v1/embeddings", {"input": SENTS[:2], "model": "emb", "encoding_format": "base64"})
    dec = [np.frombuffer(base64.b64decode(d["embedding"]), "<f4") for d in o["data"]]
    close("/v1/embeddings base64", dec, (want if norm else raw)[:2], 0)
    st, o = js(url + "/v1/models")
    say(st == 200 and o["data"][0]["id"] == "emb" and o["data"][0]["object"] == "model", "/v1/models", o)
    st, o = js(url + "/v1/embeddings", {"input": "x", "model": "no-such"})
    say(st == 404 and "message" in o.get("error", {}), "/v1/embeddings unknown model: 404, OpenAI error shape", o)
    # /embed_all: token states; their mean is the unnormalised mean-pooled vector
    st, allr = js(url + "/embed_all", {"inputs": SENTS[:2]})
    ids = [json.loads(l) for l in cli(latent, "tokenize", emb, "-q", stdin="\n".join(SENTS[:2]) + "\n").splitlines()]
    good = st == 200 and [len(x) for x in allr] == [len(i) for i in ids]
    say(good, "/embed_all: one row per token", [len(x) for x in allr] if st == 200 else allr)
    if good and info["models"][0]["pooling"] == "mean":
        close("/embed_all mean == pooled", [np.mean(x, axis=0) for x in allr], raw[:2], 2e-6)
    # /similarity: cosines with the source sentence
    st, sim = js(url + "/similarity", {"inputs": {"source_sentence": SENTS[0], "sentences": SENTS[1:]}})
    u = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    close("/similarity == cosines of latent embed", sim, u[1:] @ u[0])
    # /tokenize against `latent tokenize --offsets`
    st, tok = js(url + "/tokenize", {"inputs": SENTS})
    lines = cli(latent, "tokenize", emb, "--offsets", "-q", stdin="\n".join(SENTS) + "\n").splitlines()
    good = st == 200 and len(tok) == len(lines)
    for t, l in zip(tok if good else [], lines):
        e = json.loads(l)
        good &= [x["id"] for x in t] == e["ids"]
        good &= all(x["special"] or [x["start"], x["stop"]] == list(o) for x, o in zip(t, e["offsets"]))
    say(good, "/tokenize ids and offsets == latent tokenize", tok if st != 200 else "")
    b = SENTS[2].encode()
    say(st == 200 and all(x["special"] or x["text"] == b[x["start"]:x["stop"]].decode() for x in tok[2]),
        "/tokenize text is the input's bytes [start, stop)")
    # /decode against `latent tokenize --decode` (and back to the input for a WordPiece folder)
    ids_lines = cli(latent, "tokenize", emb, "-q", stdin="\n".join(SENTS) + "\n")
    ids = [json.loads(l) for l in ids_lines.splitlines()]
    st, dec = js(url + "/decode", {"ids": ids})
    want_d = [json.loads(l) for l in cli(latent, "tokenize", emb, "--decode", "--no-special", stdin=ids_lines).splitlines()]
    say(st == 200 and dec == want_d and len(dec) == len(SENTS), "/decode == latent tokenize --decode", (dec, want_d))
    st, dec1 = js(url + "/decode", {"ids": ids[0], "skip_special_tokens": False})
    want_1 = json.loads(cli(latent, "tokenize", emb, "--decode", stdin=json.dumps(ids[0]) + "\n"))
    say(st == 200 and dec1 == [want_1] and want_1 != want_d[0], "/decode one list, specials kept", (dec1, want_1))
    # rerank against `latent rerank --json`
    docs = SENTS[1:]
    st, rr = js(url + "/rerank", {"query": SENTS[0], "texts": docs, "return_text": True})
    want_r = json.loads(cli(latent, "rerank", cross, SENTS[0], "--json", "-q", stdin="\n".join(docs) + "\n"))
    good = st == 200 and [x["index"] for x in rr] == [x["index"] for x in want_r] \
        and all(x["text"] == docs[x["index"]] for x in rr)
    say(good, "/rerank order and texts == latent rerank --json", rr)
    if good:
        close("/rerank scores == latent rerank", [x["score"] for x in rr], [x["score"] for x in want_r])
    st, rr = js(url + "/rerank", {"query": SENTS[0], "texts": docs, "raw_scores": True})
    want_r = json.loads(cli(latent, "rerank", cross, SENTS[0], "--json", "--raw-scores", "-q", stdin="\n".join(docs) + "\n"))
    close("/rerank raw_scores == --raw-scores", sorted(x["score"] for x in rr), sorted(x["score"] for x in want_r))
    # /similar, /vectors, /search against the CLI
    word = "king"
    st, sm = js(url + "/similar?word=" + word + "&k=5&vectors=words")
    want_s = [json.loads(l) for l in cli(latent, "similar", vecs, word, "-k", "5", "--json").splitlines()][0]["results"]
    say(st == 200 and [x["label"] for x in sm] == [x["label"] for x in want_s], "/similar labels == latent similar", sm)
    if st == 200:
        close("/similar scores == latent similar", [x["similarity"] for x in sm], [x["similarity"] for x in want_s])
    st, vr = js(url + "/vectors/" + word + "?vectors=words")
    row = [float(x) for x in open(vecs).read().split("\n")[1 + vr.get("id", 0)].split()[1:]] if st == 200 else []
    close("/vectors/{label} == the row", vr.get("vector", []) if st == 200 else [], row)
    q = np.array([vr["vector"]], np.float32)
    with open(f"{scratch}/q.txt", "w") as f:
        f.write(f"1 {q.shape[1]}\nq0 " + " ".join(f"{x:.9g}" for x in q[0]) + "\n")
    for name, target, args in (("index", "words", [index, "--base", vecs]), ("exact", "words", [vecs])):
        body = {"vectors": q.tolist(), "k": 5}
        body["index"] = target
        st, sr = js(url + "/search", body if name == "index" else {**body, "index": "wordvecs"})
        want_q = json.loads(cli(latent, "search", *args, "--vectors", f"{scratch}/q.txt", "-k", "5", "--json", "-q").splitlines()[0])["results"]
        say(st == 200 and [x["id"] for x in sr[0]] == [x["id"] for x in want_q], f"/search {name} ids == latent search", sr)
        if st == 200:
            close(f"/search {name} distances == latent search", [x["distance"] for x in sr[0]], [x["distance"] for x in want_q])
    st, sr = js(url + "/search", {"index": "words", "vectors": q.tolist(), "k": 5, "filter": {"label_prefix": "q"}})
    say(st == 200 and sr[0] and all(x["label"].startswith("q") for x in sr[0]), "/search label_prefix filter", sr)
    st, sr = js(url + "/search", {"index": "wordvecs", "vectors": q.tolist(), "k": 3, "filter": {"ids": [5, 7, 9, 11]}})
    dist = [x["distance"] for x in sr[0]] if st == 200 else []
    say(st == 200 and {x["id"] for x in sr[0]} <= {5, 7, 9, 11} and len(sr[0]) == 3 and dist == sorted(dist),
        "/search exact ids filter", sr)
    # /index/add and /index/delete, then the neighbours of the added vector
    z = (q[0] * 0.5 + 0.01).tolist()
    st, a = js(url + "/index/add", {"index": "words", "ids": [1000000], "vectors": [z]})
    st2, sr = js(url + "/search", {"index": "words", "vectors": [z], "k": 1})
    say(st == 200 and a["added"] == 1 and st2 == 200 and sr[0][0]["id"] == 1000000, "/index/add then /search finds it", (a, sr))
    st, dl = js(url + "/index/delete", {"index": "words", "ids": [1000000, 999999]})
    st2, sr = js(url + "/search", {"index": "words", "vectors": [z], "k": 1})
    say(st == 200 and dl["deleted"] == 1 and dl["missing"] == [999999] and sr[0][0]["id"] != 1000000,
        "/index/delete removes it, names the missing id", (dl, sr))
    # refusals: status and TEI's error shape
    long_text = " ".join(["word"] * 3000)
    for name, path, body, want_st in (
            ("invalid JSON", "/embed", b"{bad", 400), ("not an object", "/embed", [1, 2], 422),
            ("inputs a number", "/embed", {"inputs": 3}, 422), ("inputs empty", "/embed", {"inputs": []}, 422),
            ("inputs with a number", "/embed", {"inputs": ["a", 3]}, 422),
            ("normalize a string", "/embed", {"inputs": "a", "normalize": "yes"}, 422),
            ("dimensions 0", "/embed", {"inputs": "a", "dimensions": 0}, 422),
            ("dimensions too big", "/embed", {"inputs": "a", "dimensions": 100000}, 422),
            ("unknown prompt_name", "/embed", {"inputs": "a", "prompt_name": "nope"}, 422),
            ("truncation_direction Left", "/embed", {"inputs": "a", "truncation_direction": "Left"}, 422),
            ("too long, truncate false", "/embed", {"inputs": long_text}, 413),
            ("unknown model", "/embed", {"inputs": "a", "model": "nope"}, 404),
            ("rerank on an embedding model", "/rerank", {"query": "a", "texts": ["b"], "model": "emb"}, 404),
            ("NaN literal", "/search", b'{"vectors": [[NaN]]}', 400),
            ("huge number", "/search", {"index": "words", "vectors": [[1e300] * q.shape[1]]}, 422),
            ("wrong dimension", "/search", {"index": "words", "vectors": [[1.0, 2.0]]}, 422),
            ("k too large", "/search", {"index": "words", "vectors": q.tolist(), "k": 10 ** 9}, 422),
            ("unknown index", "/search", {"index": "nope", "vectors": q.tolist()}, 404),
            ("add without ids", "/index/add", {"index": "words", "vectors": q.tolist()}, 422),
            ("too many inputs", "/embed", {"inputs": ["a"] * 2000}, 413),
            ("decode ids not integers", "/decode", {"ids": [1.5]}, 422),
            ("decode ids empty", "/decode", {"ids": []}, 422),
            ("unknown route", "/nope", {}, 404)):
        raw_b = body if isinstance(body, bytes) else None
        st, e = js(url + path, None if raw_b else body, raw=raw_b)
        say(st == want_st and isinstance(e, dict) and "error" in e and "error_type" in e,
            f"refused: {name} -> {want_st}", (st, e))
    st, e = js(url + "/embed", method="GET")
    say(st == 405, "GET /embed -> 405", (st, e))
    st, got = js(url + "/embed", {"inputs": long_text, "truncate": True})
    say(st == 200 and len(got) == 1, "too long, truncate true -> 200")
    st, m = http(url + "/metrics")
    m = m.decode()
    say(st == 200 and "te_request_count" in m and 'te_request_failure{err="validation"}' in m and "te_batch_count" in m,
        "/metrics (Prometheus text, TEI's names)", m[:200])


def concurrent(url, latent, emb, scratch):
    """64 clients at once, each its own sentence: every answer equals the sequential one."""
    texts = [f"sentence number {i} about topic {i % 7}" for i in range(64)]
    with open(f"{scratch}/c.txt", "w") as f:
        f.write("\n".join(texts) + "\n")
    cli(latent, "embed", emb, "-i", f"{scratch}/c.txt", "-o", f"{scratch}/c.npy", "-q", "-t", "1", "--normalize")
    want = np.load(f"{scratch}/c.npy")
    got, errs = [None] * 64, []

    def one(i):
        st, v = js(url + "/embed", {"inputs": texts[i]})
        if st != 200:
            errs.append((i, st, v))
        else:
            got[i] = v[0]
    ts = [threading.Thread(target=one, args=(i,)) for i in range(64)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    say(not errs, "64 concurrent /embed requests all 200", errs[:3])
    if not errs:
        close("concurrent answers == latent embed (batched across requests)", got, want)


def openai_client(url, scratch):
    import openai
    c = openai.OpenAI(base_url=url + "/v1", api_key="unused")
    r = c.embeddings.create(model="emb", input=SENTS[:3])
    want = np.load(f"{scratch}/oa_want.npy")
    print(f"# openai {openai.__version__}")
    close("the openai client's embeddings.create == latent embed", [d.embedding for d in r.data], want[:3])
    r = c.embeddings.create(model="emb", input=SENTS[:3], encoding_format="base64")
    close("the openai client with base64", [d.embedding for d in r.data] if isinstance(r.data[0].embedding, list)
          else [np.frombuffer(base64.b64decode(d.embedding), "<f4") for d in r.data], want[:3])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "routes":
        routes(*sys.argv[2:9])
    elif mode == "concurrent":
        concurrent(*sys.argv[2:6])
    elif mode == "openai":
        openai_client(*sys.argv[2:4])
