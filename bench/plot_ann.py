"""Recall@10 vs queries/s curves (latent HNSW and hnswlib) as a dependency-free SVG.
usage: plot_ann.py results.tsv out.svg"""
import sys, math
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
series = {}
for r in rows:
    if r[0] in ("latent-hnsw", "hnswlib-hnsw"):
        series.setdefault((r[1], r[0], r[3]), []).append((float(r[5]), float(r[6])))
datas = sorted({k[0] for k in series})
W, H, P = 460, 340, 60
colors = {("latent-hnsw", "1"): "#d62728", ("latent-hnsw", "2"): "#ff7f0e", ("hnswlib-hnsw", "1"): "#1f77b4", ("hnswlib-hnsw", "2"): "#17becf"}
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W * len(datas)}" height="{H + 40}" font-family="sans-serif" font-size="11">']
for di, data in enumerate(datas):
    ox = di * W
    pts = [p for k, v in series.items() if k[0] == data for p in v]
    xs = [p[0] for p in pts]; ys = [p[1] for p in pts]
    x0, x1 = min(xs + [0.9]), 1.0
    y0, y1 = math.log10(min(ys)) - 0.05, math.log10(max(ys)) + 0.05
    X = lambda x: ox + P + (x - x0) / (x1 - x0) * (W - P - 20)
    Y = lambda y: 20 + (1 - (math.log10(y) - y0) / (y1 - y0)) * (H - P)
    out.append(f'<text x="{ox + W / 2}" y="14" text-anchor="middle" font-weight="bold">{data}: recall@10 vs queries/s</text>')
    out.append(f'<rect x="{ox + P}" y="20" width="{W - P - 20}" height="{H - P}" fill="none" stroke="#444"/>')
    for t in range(5):
        xv = x0 + (x1 - x0) * t / 4
        out.append(f'<text x="{X(xv)}" y="{H - P + 34}" text-anchor="middle">{xv:.3f}</text>')
    for e in range(int(math.floor(y0)), int(math.ceil(y1)) + 1):
        for mlt in (1, 2, 5):
            v = mlt * 10 ** e
            if y0 <= math.log10(v) <= y1:
                out.append(f'<text x="{ox + P - 4}" y="{Y(v) + 4}" text-anchor="end">{v:g}</text>')
                out.append(f'<line x1="{ox + P}" x2="{ox + W - 20}" y1="{Y(v)}" y2="{Y(v)}" stroke="#ddd"/>')
    out.append(f'<text x="{ox + W / 2}" y="{H - P + 50}" text-anchor="middle">recall@10</text>')
    ly = 30
    for (d, tool, thr), v in sorted(series.items()):
        if d != data:
            continue
        v = sorted(v)
        c = colors.get((tool, thr), "#000")
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in v)))
        for x, y in v:
            out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="2.5" fill="{c}"/>')
        out.append(f'<text x="{ox + P + 8}" y="{ly + 10}" fill="{c}">{tool.replace("-hnsw", "")} {thr} thread{"s" if thr != "1" else ""}</text>')
        ly += 14
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out))
print("wrote", sys.argv[2])
