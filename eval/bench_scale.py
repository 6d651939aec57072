"""Scale benchmark (#14): FAISS flat vs HNSW vs IVF vs milvus-lite on synthetic corpora of 10k … 1M chunks.

    python -m eval.bench_scale --sizes 10000,100000,1000000

Vectors are real: a few thousand sentences of the Shanghai regulations library are embedded once with the
project's default embedder (cached under --workdir); chunk i is a mix of two of them plus small gaussian
noise, renormalised, and its text is the first sentence with the head of the second (for BM25). Queries are
held-out sentences embedded as queries. Measured per size and store: build time, memory (RSS delta of this
process, plus the milvus-lite server's RSS), ANN recall@10 against exact search, ANN query p50/p95, and the
whole search p50/p95: dense ANN + BM25 (bm25s) + RRF fusion, both under a scalar filter (status and a range
of years, ~42 % of the chunks). A JSON report and a plot of latency against size go to --workdir.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import psutil
from tqdm import tqdm

from assistant.config import ROOT, IndexConfig, StoreConfig
from assistant.retrieval.tokenization import Tokenizer
from assistant.store.embedding import EmbedderConfig, make_embedder
from assistant.store.stores import make_store
from assistant.store.vectorstore import Rows, StoreFilter, VectorStore

LIBRARY = ROOT.parent / "shared" / "corpora" / "shanghai-regulations"
STATUS = ["现行有效", "已被新版本取代", "已过期"]  # 70 %, 20 %, 10 %
DEPARTMENTS = [f"市{d}" for d in ("商务委", "经信委", "财政局", "教委", "卫健委", "交通委", "住建委", "生态环境局",
                                  "市场监管局", "公安局", "民政局", "人社局", "科委", "文旅局", "农业农村委")]
FILTER = StoreFilter(status=("现行有效",), years=(2010, 2024))
K, CANDIDATES, RRF_K = 10, 30, 10


def sentences(folder: Path, n: int, seed: int) -> list[str]:
    """n distinct sentences (15–160 characters) of the library's Markdown files, shuffled."""
    found: dict[str, None] = {}
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for s in re.split(r"(?<=[。；！？])|\n", text):
            s = s.strip().lstrip("#").strip()
            if 15 <= len(s) <= 160:
                found.setdefault(s, None)
    pool = list(found)
    np.random.default_rng(seed).shuffle(pool)
    if len(pool) < n:
        raise SystemExit(f"{folder} has only {len(pool)} usable sentences, {n} asked")
    return pool[:n]


def real_embeddings(workdir: Path, base: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Embeddings of `base` passages and `queries` held-out query sentences, cached in workdir."""
    cache = workdir / f"real-{base}-{queries}-{seed}.npz"
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        return data["passages"], data["queries"], [str(t) for t in data["texts"]]
    texts = sentences(LIBRARY, base + queries, seed)
    embedder = make_embedder(EmbedderConfig())
    start = time.perf_counter()
    passages = embedder.embed_passages(texts[:base], progress=True)
    rate = base / (time.perf_counter() - start)
    bar = tqdm(total=queries, desc="queries", unit="句")
    qs = []
    for i in range(0, queries, 16):
        qs.append(embedder.embed_batch(texts[base + i : base + i + 16], query=True))
        bar.update(len(qs[-1]))
    bar.close()
    print(f"embedded {base} sentences at {rate:.1f} sentences/s ({embedder.name})")
    workdir.mkdir(parents=True, exist_ok=True)
    np.savez(cache, passages=passages, queries=np.concatenate(qs), texts=np.asarray(texts))
    return passages, np.concatenate(qs), texts


def synthetic(passages: np.ndarray, n: int, seed: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n vectors e_a + w·e_b + gaussian noise (norm ≈ `noise`), renormalised; returns vectors, a, b."""
    rng = np.random.default_rng(seed)
    b_count, dim = passages.shape
    a, b = rng.integers(b_count, size=n), rng.integers(b_count, size=n)
    out = np.empty((n, dim), dtype=np.float32)
    for s in range(0, n, 100_000):
        e = slice(s, min(n, s + 100_000))
        w = rng.uniform(0.0, 0.5, size=(e.stop - s, 1)).astype(np.float32)
        v = passages[a[e]] + w * passages[b[e]] + rng.normal(0, noise / math.sqrt(dim), (e.stop - s, dim)).astype(np.float32)
        out[e] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out, a, b


def metadata(n: int, seed: int) -> Rows:
    """Scalar fields: 20 chunks a document, status 70/20/10 %, a lead department, version years 2000–2024."""
    rng = np.random.default_rng(seed + 1)
    doc = np.arange(n) // 20
    n_docs = int(doc[-1]) + 1
    status = rng.choice(3, size=n_docs, p=[0.7, 0.2, 0.1]).astype(np.int32)[doc]
    year = rng.integers(2000, 2025, size=n_docs).astype(np.int32)[doc]
    ids = np.arange(n, dtype=np.int64)
    return Rows(ids, ids.copy(), year,
                {"doc_id": doc.astype(np.int32), "status": status,
                 "departments": rng.integers(len(DEPARTMENTS), size=n).astype(np.int32),
                 "kind": np.zeros(n, np.int32), "issuer": np.zeros(n, np.int32), "region": np.zeros(n, np.int32)},
                {"doc_id": [f"doc{i}" for i in range(n_docs)], "status": STATUS, "departments": DEPARTMENTS,
                 "kind": ["办法"], "issuer": ["上海市人民政府"], "region": ["上海市"]})


class Lexical:
    """bm25s over jieba tokens of the synthetic texts (each sentence tokenised once, then reused)."""

    def __init__(self, texts: list[str], a: np.ndarray, b: np.ndarray):
        import bm25s

        self.tokenizer = Tokenizer()
        tokens = [self.tokenizer.tokens(t) or ["∅"] for t in tqdm(texts, desc="jieba", unit="句")]
        docs = [tokens[x] + tokens[y][:4] for x, y in zip(a.tolist(), b.tolist())]
        self.bm25 = bm25s.BM25()
        self.bm25.index(docs, show_progress=False)

    def search(self, text: str, k: int, mask: np.ndarray | None) -> list[int]:
        tokens = [t for t in self.tokenizer.tokens(text) if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argpartition(-scores, k)[:k]
        return [int(i) for i in top[np.argsort(-scores[top])] if scores[i] > 0]


def rrf(rankings: list[list[int]], weights: tuple[float, ...] = (1.0, 0.5)) -> list[int]:
    scores: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + w / (RRF_K + rank)
    return sorted(scores, key=lambda r: -scores[r])[:K]


def whole_search(store: VectorStore, lexical: Lexical, rows: Rows, q: np.ndarray, text: str) -> list[int]:
    """What Retriever.search does at scale: filtered dense and BM25 candidates, fused by rank."""
    dense = [i for i, _ in store.search(q, CANDIDATES, FILTER)]
    return rrf([dense, lexical.search(text, CANDIDATES, rows.mask(FILTER))])


def timed(fn, items) -> tuple[list, np.ndarray]:
    out, ms = [], []
    for item in items:
        t = time.perf_counter()
        out.append(fn(item))
        ms.append((time.perf_counter() - t) * 1000)
    return out, np.asarray(ms)


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def child_rss() -> int:
    return sum(c.memory_info().rss for c in psutil.Process().children(recursive=True))


def index_bytes(store: VectorStore, workdir: Path, size: int) -> int:
    """What the index takes: FAISS serialised (vectors and graph or lists), milvus-lite its .db folder or file."""
    import faiss

    index = getattr(store, "index", None)
    if index is not None:
        return int(faiss.serialize_index(index).nbytes)
    return sum(f.stat().st_size for f in workdir.glob(f"milvus-{size}.db*") if f.is_file()) + \
        sum(f.stat().st_size for d in workdir.glob(f"milvus-{size}.db*") if d.is_dir() for f in d.rglob("*") if f.is_file())


def build(kind: str, vectors: np.ndarray, rows: Rows, workdir: Path, size: int, args) -> VectorStore:
    """An ANN store of one kind over the vectors, with the search settings of this benchmark."""
    from assistant.store.faiss_store import FaissStore

    import faiss

    n, dim = vectors.shape
    if kind == "faiss-flat":
        store = make_store(StoreConfig(), dim, IndexConfig(kind="flat"))
    elif kind == "faiss-hnsw":
        store = make_store(StoreConfig(), dim, IndexConfig(kind="hnsw", hnsw_m=args.hnsw_m))
    elif kind == "faiss-ivf":
        nlist = max(16, int(math.sqrt(n)))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(n, size=min(n, 64 * nlist), replace=False)]
        index.train(sample)  # k-means on a sample: training on all 1M would take most of an hour here
        index.nprobe = args.nprobe or max(16, nlist // 10)
        index.add(vectors)
        index.make_direct_map()
        return FaissStore(index, rows)
    else:
        path = workdir / f"milvus-{size}.db"
        for f in workdir.glob(f"milvus-{size}.db*"):
            f.unlink() if f.is_file() else None
        store = make_store(StoreConfig(kind="milvus", milvus_uri=str(path)), dim,
                           IndexConfig(kind=args.milvus_index), owner=str(path), n_hint=n)
        if args.milvus_index == "hnsw":
            store.search_params = {"ef": args.ef_search}
        elif args.milvus_index == "ivf":
            store.search_params = {"nprobe": max(16, int(math.sqrt(n)) // 10)}
        for s in tqdm(range(0, n, 50_000), desc="milvus insert", unit="×50k"):
            store.add(vectors[s : s + 50_000], rows.slice(s, s + 50_000))
        store.client.flush(store.collection)
        store.client.load_collection(store.collection)
        return store
    store.add(vectors, rows)
    if kind == "faiss-hnsw":
        store.index.hnsw.efSearch = args.ef_search
    return store


def bench_size(size: int, kinds: list[str], passages, queries, texts, args) -> list[dict]:
    base = len(passages)
    vectors, a, b = synthetic(passages, size, args.seed, args.noise)
    rows = metadata(size, args.seed)
    t = time.perf_counter()
    lexical = Lexical(texts[:base], a, b)
    bm25_s = time.perf_counter() - t
    q_texts = texts[base:]
    truth = exact = None
    results = []
    for kind in kinds:
        if kind == "milvus-lite" and size > args.milvus_max:
            print(f"  {kind}: skipped at {size:,} (--milvus-max {args.milvus_max:,})")
            continue
        before, server_before, t = rss(), child_rss(), time.perf_counter()
        store = build(kind, vectors, rows, args.workdir, size, args)
        build_s = time.perf_counter() - t
        rss_delta = rss() - before + child_rss() - server_before
        index_mb = index_bytes(store, args.workdir, size) / 2**20
        found, ann_ms = timed(lambda q: [i for i, _ in store.search(q, K)], tqdm(queries, desc=f"{kind} ANN", leave=False))
        filtered, _ = timed(lambda q: [i for i, _ in store.search(q, K, FILTER)], queries)
        whole, whole_ms = timed(lambda i: whole_search(store, lexical, rows, queries[i], q_texts[i]),
                                tqdm(range(len(queries)), desc=f"{kind} whole", leave=False))
        if kind == "faiss-flat":
            truth, exact = found, filtered
        recall = float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)])) if truth else None
        f_recall = float(np.mean([len(set(f) & set(t)) / max(1, len(t)) for f, t in zip(filtered, exact)])) if exact else None
        results.append({"size": size, "store": kind, "build_s": round(build_s, 2), "index_mb": round(index_mb, 1),
                        "rss_delta_mb": round(rss_delta / 2**20, 1),
                        "recall@10": recall, "filtered_recall@10": f_recall,
                        "ann_p50_ms": round(float(np.percentile(ann_ms, 50)), 2),
                        "ann_p95_ms": round(float(np.percentile(ann_ms, 95)), 2),
                        "whole_p50_ms": round(float(np.percentile(whole_ms, 50)), 2),
                        "whole_p95_ms": round(float(np.percentile(whole_ms, 95)), 2),
                        "bm25_index_s": round(bm25_s, 1)})
        print("  " + json.dumps(results[-1], ensure_ascii=False), flush=True)
        store.close()
        del store
        gc.collect()
    return results


def ingest(docs: int, workdir: Path) -> dict:
    """A knowledge-base build over `docs` files of the library (staged, resumable) against the embedder's raw
    speed on the same sentence texts, on this machine, one after the other."""
    import shutil
    import tempfile

    from assistant.store.knowledge import KnowledgeBase

    embedder = make_embedder(EmbedderConfig())
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp) / "library"
        folder.mkdir()
        for f in sorted(LIBRARY.glob("*.md"))[:docs]:
            shutil.copy(f, folder / f.name)
        (Path(tmp) / "corpus").mkdir()
        kb = KnowledgeBase(Path(tmp) / "corpus", Path(tmp) / "index", embedder, library=(folder,))
        embedder.embed_query("预热")
        t = time.perf_counter()
        index, report = kb.sync(progress=True)
        build_s = time.perf_counter() - t
        texts = [u for c in index.chunks for u in c.unit_texts()]
        t = time.perf_counter()
        embedder.embed_passages(texts, progress=True)
        raw_s = time.perf_counter() - t
    return {"docs": docs, "chunks": len(index.chunks), "units": len(texts), "build_s": round(build_s, 1),
            "build_chunks_per_s": round(len(index.chunks) / build_s, 2), "build_units_per_s": round(len(texts) / build_s, 2),
            "raw_units_per_s": round(len(texts) / raw_s, 2)}


def table(results: list[dict]) -> str:
    head = ("| chunks | store | build s | index MB | RSS Δ MB | recall@10 | filtered recall@10 | ANN p50 / p95 ms "
            "| whole search p50 / p95 ms |")
    lines = [head, "|" + "---|" * 9]
    for r in results:
        rec = "—" if r["recall@10"] is None else f"{r['recall@10']:.3f}"
        frec = "—" if r["filtered_recall@10"] is None else f"{r['filtered_recall@10']:.3f}"
        lines.append(f"| {r['size']:,} | {r['store']} | {r['build_s']:.1f} | {r['index_mb']:.0f} | {r['rss_delta_mb']:.0f} | {rec} | {frec} | "
                     f"{r['ann_p50_ms']:.2f} / {r['ann_p95_ms']:.2f} | {r['whole_p50_ms']:.1f} / {r['whole_p95_ms']:.1f} |")
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for n, kind in enumerate(dict.fromkeys(r["store"] for r in results)):
        rs = [r for r in results if r["store"] == kind]
        ax.plot([r["size"] for r in rs], [r["whole_p50_ms"] for r in rs], marker="o", color=f"C{n}",
                label=f"{kind} whole search p50")
        ax.plot([r["size"] for r in rs], [r["ann_p50_ms"] for r in rs], marker=".", linestyle="--", color=f"C{n}",
                label=f"{kind} ANN p50")
    ax.axhline(50, color="grey", linewidth=0.8, linestyle=":")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per query (2 cores)",
           title="Query latency against corpus size")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes (default: %(default)s)")
    p.add_argument("--stores", default="faiss-flat,faiss-hnsw,faiss-ivf,milvus-lite",
                   help="which stores; faiss-flat is the exact reference (default: %(default)s)")
    p.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench-scale", help="cache and reports")
    p.add_argument("--base", type=int, default=3000, help="real sentences embedded (default: %(default)s)")
    p.add_argument("--queries", type=int, default=200, help="held-out query sentences (default: %(default)s)")
    p.add_argument("--noise", type=float, default=0.3, help="norm of the gaussian noise added (default: %(default)s)")
    p.add_argument("--hnsw-m", type=int, default=32)
    p.add_argument("--ef-search", type=int, default=128, help="HNSW efSearch / Milvus ef (default: %(default)s)")
    p.add_argument("--nprobe", type=int, default=0, help="IVF lists probed; 0 = max(16, nlist/10), nlist = √n")
    p.add_argument("--milvus-index", default="flat", choices=["flat", "hnsw", "ivf"], help="milvus-lite index type")
    p.add_argument("--milvus-max", type=int, default=100_000, help="largest size milvus-lite runs at (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ingest", type=int, default=0, metavar="DOCS",
                   help="only time a knowledge-base build over DOCS library files against the raw embedder")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    kinds = [k.strip() for k in args.stores.split(",") if k.strip()]
    if kinds[0] != "faiss-flat":
        p.error("--stores must start with faiss-flat: it is the exact reference for recall")
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.ingest:
        result = ingest(args.ingest, args.workdir)
        print(json.dumps(result, ensure_ascii=False))
        (args.workdir / "ingest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    passages, queries, texts = real_embeddings(args.workdir, args.base, args.queries, args.seed)
    embedder = make_embedder(EmbedderConfig())
    embedder.embed_query("预热")
    _, embed_ms = timed(embedder.embed_query, texts[len(passages):][:20])
    embed_p50 = round(float(np.percentile(embed_ms, 50)), 1)
    print(f"query embedding ({embedder.name}), one at a time: p50 {embed_p50} ms (not in the timings below)")
    results = []
    for size in sizes:
        print(f"{size:,} chunks", flush=True)
        results += bench_size(size, kinds, passages, queries, texts, args)
        (args.workdir / "report.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                              "filter": str(FILTER), "query_embedding_p50_ms": embed_p50,
                                                              "cpus": psutil.cpu_count(), "results": results},
                                                             ensure_ascii=False, indent=2), encoding="utf-8")
    plot(results, args.workdir / "latency.png")
    print(table(results))
    big = [r for r in results if r["size"] == max(sizes) and r["store"] != "faiss-flat"]
    for r in big:
        print(f"{r['store']} at {r['size']:,}: whole p50 {r['whole_p50_ms']:.1f} ms ({'met' if r['whole_p50_ms'] <= 50 else 'missed'} ≤ 50), "
              f"recall@10 {r['recall@10']:.3f} ({'met' if r['recall@10'] >= 0.95 else 'missed'} ≥ 0.95)")
    print(f"report: {args.workdir / 'report.json'}, plot: {args.workdir / 'latency.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
