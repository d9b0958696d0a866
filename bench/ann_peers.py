"""Peers for the ANN benchmark, one process per measurement.
  ann_peers.py truth BASE QUERY METRIC K OUT.ivecs     float64 brute force, ties by id
  ann_peers.py faiss BASE QUERY METRIC K THREADS        exact search time (IndexFlatL2/IP)
  ann_peers.py hnswlib BASE QUERY METRIC K THREADS M EFC EF1,EF2,.. TRUTH [SAVE]  build time, then recall/qps per ef
  ann_peers.py hnswlib-sweep BASE QUERY METRIC K THREADS INDEX EF1,EF2,.. TRUTH  recall/qps per ef of a saved index (one run each)
Prints one line per result as TSV."""
import sys, time, numpy as np

def read_fvecs(p):
    a = np.fromfile(p, dtype=np.int32)
    d = a[0]
    return a.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()

def read_ivecs(p):
    a = np.fromfile(p, dtype=np.int32)
    return a.reshape(-1, a[0] + 1)[:, 1:]

def normalize(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return x / n

cmd, base, query, metric, k = sys.argv[1], read_fvecs(sys.argv[2]), read_fvecs(sys.argv[3]), sys.argv[4], int(sys.argv[5])
if cmd == "truth":
    b = base.astype(np.float64); q = query.astype(np.float64)
    if metric == "cosine":
        b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-300)
    out = np.empty((len(q), k), dtype=np.int32)
    bn = (b * b).sum(1)
    for s in range(0, len(q), 500):
        qq = q[s:s + 500]
        if metric == "l2":
            dd = ((qq * qq).sum(1)[:, None] + bn[None, :]) - 2 * qq @ b.T
            # exact re-rank of the 4k best in double with the direct formula
            cand = np.argpartition(dd, 4 * k, axis=1)[:, :4 * k]
            for i in range(len(qq)):
                c = np.sort(cand[i])
                diff = b[c] - qq[i]
                ex = (diff * diff).sum(1)
                order = np.lexsort((c, ex))[:k]
                out[s + i] = c[order]
        else:
            dd = 1 - qq @ b.T
            for i in range(len(qq)):
                order = np.lexsort((np.arange(len(b)), dd[i]))[:k]
                out[s + i] = order
    with open(sys.argv[6], "wb") as f:
        for r in out:
            np.array([k], dtype=np.int32).tofile(f)
            r.astype(np.int32).tofile(f)
elif cmd == "faiss":
    import faiss
    t = int(sys.argv[6])
    faiss.omp_set_num_threads(t)
    if metric == "cosine":
        base, query = normalize(base), normalize(query)
    idx = faiss.IndexFlatL2(base.shape[1]) if metric == "l2" else faiss.IndexFlatIP(base.shape[1])
    idx.add(base)
    idx.search(query[:100], k)
    el = 1e30
    for rep in range(3):
        t0 = time.monotonic(); idx.search(query, k); el = min(el, time.monotonic() - t0)
    print(f"faiss\t{metric}\t{t}\t{len(query) / el:.1f}")
elif cmd == "hnswlib":
    import hnswlib
    t, M, efc, efs = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), [int(x) for x in sys.argv[9].split(",")]
    truth = read_ivecs(sys.argv[10])[:, :k]
    sp = {"l2": "l2", "ip": "ip", "cosine": "cosine"}[metric]
    p = hnswlib.Index(space=sp, dim=base.shape[1])
    p.init_index(max_elements=len(base), M=M, ef_construction=efc, random_seed=100)
    p.set_num_threads(t)
    t0 = time.monotonic(); p.add_items(base, np.arange(len(base))); bt = time.monotonic() - t0
    print(f"hnswlib-build\t{metric}\t{t}\t{bt:.2f}")
    if len(sys.argv) > 11:
        p.save_index(sys.argv[11])
        efs = []
    for ef in efs:
        p.set_ef(ef)
        el = 1e30
        for rep in range(3):   # best of 3, as latent eval recall --repeat 3
            t0 = time.monotonic(); I, _ = p.knn_query(query, k=k, num_threads=t); el = min(el, time.monotonic() - t0)
        rec = np.mean([len(set(I[i]) & set(truth[i])) for i in range(len(query))]) / k
        print(f"hnswlib\t{metric}\t{t}\t{ef}\t{rec:.5f}\t{len(query) / el:.1f}")
elif cmd == "hnswlib-sweep":
    import hnswlib
    t, path, efs = int(sys.argv[6]), sys.argv[7], [int(x) for x in sys.argv[8].split(",")]
    truth = read_ivecs(sys.argv[9])[:, :k]
    p = hnswlib.Index(space={"l2": "l2", "ip": "ip", "cosine": "cosine"}[metric], dim=base.shape[1])
    p.load_index(path, max_elements=len(base))
    p.set_num_threads(t)
    for ef in efs:
        p.set_ef(ef)
        t0 = time.monotonic(); I, _ = p.knn_query(query, k=k, num_threads=t); el = time.monotonic() - t0
        rec = np.mean([len(set(I[i]) & set(truth[i])) for i in range(len(query))]) / k
        print(f"hnswlib\t{metric}\t{t}\t{ef}\t{rec:.5f}\t{len(query) / el:.1f}")
