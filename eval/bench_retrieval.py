"""Retrieval benchmark on a question set: ours (hybrid) vs BM25-only, dense-only and a naive LangChain pipeline.

    .venv/bin/python -m eval.bench_retrieval                    # seed corpus, eval/questions/seed.jsonl
    .venv/bin/python -m eval.bench_retrieval --sweep 200,300,400,600   # justify the chunk size bound

Prints evidence recall@1/3/5 and MRR per system, index build time, query latency p50/p95 and peak memory.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import DEFAULT_CORPUS, ChunkingConfig
from assistant.store.embedding import EmbedderConfig, make_embedder
from assistant.store.knowledge import KnowledgeBase
from assistant.retrieval.retrieve import Retriever

from .baselines import naive_store
from .bench import ROOT
from .metrics import evidence_recall, mean, percentile, reciprocal_rank
from .questions import Question, load_questions

KS = (1, 3, 5)


def answerable_questions(path: Path) -> list[Question]:
    """The answerable questions with gold spans (eval.questions reads the file; its problems go to stderr)."""
    questions, problems = load_questions(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return [q for q in questions if q.answerable and q.evidence]


def score(questions: list[Question], search) -> dict:
    """Recall@k and MRR of a `search(question) -> list[str]` function over the questions."""
    per_k = {k: [] for k in KS}
    rr = []
    for q in questions:
        texts = search(q.question)
        for k in KS:
            per_k[k].append(evidence_recall(q.evidence, texts, k))
        rr.append(reciprocal_rank(q.evidence, texts[: max(KS)]))
    return {**{f"recall@{k}": mean(v) for k, v in per_k.items()}, "mrr": mean(rr)}


def naive_langchain(corpus: Path, embedder):
    """What a user would build first: RecursiveCharacterTextSplitter 500/50 + the same embedder + FAISS."""
    store = naive_store(corpus, embedder)
    return lambda q: [d.page_content for d in store.similarity_search(q, k=max(KS))]


def build(corpus: Path, embedder, max_chars: int) -> tuple[Retriever, float]:
    start = time.perf_counter()
    kb = KnowledgeBase(corpus, Path(tempfile.mkdtemp(prefix="bench-index-")), embedder, ChunkingConfig(max_chars=max_chars))
    index, _ = kb.sync()
    return Retriever(index, embedder), time.perf_counter() - start


def row(name: str, m: dict) -> str:
    return f"| {name} | " + " | ".join(f"{m[k]:.3f}" for k in ("recall@1", "recall@3", "recall@5", "mrr")) + " |"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--max-chars", type=int, default=ChunkingConfig.max_chars)
    p.add_argument("--sweep", default="", help="comma-separated max_chars values to compare (ours only)")
    args = p.parse_args(argv)

    questions = answerable_questions(args.questions)
    embedder = make_embedder(EmbedderConfig())
    embedder.embed_query("预热")  # model load is not part of the build or query time
    print(f"{len(questions)} answerable questions from {args.questions.name}; embedder {embedder.name}\n")

    retriever, build_s = build(args.corpus, embedder, args.max_chars)
    t0 = time.perf_counter()
    naive = naive_langchain(args.corpus, embedder)
    naive_build_s = time.perf_counter() - t0

    latencies: list[float] = []

    def ours(q: str) -> list[str]:
        t = time.perf_counter()
        hits = retriever.search(q, max(KS))
        latencies.append((time.perf_counter() - t) * 1000)
        return [h.chunk.text for h in hits]

    chunks = retriever.index.chunks
    systems = {
        f"ours (hybrid, max_chars={args.max_chars})": ours,
        "BM25 only (jieba)": lambda q: [chunks[r].text for r, _ in retriever.lexical(q, max(KS))],
        "dense only (same embedder)": lambda q: [chunks[r].text for r, _, _ in retriever.dense(q, max(KS))],
        "naive LangChain (500/50 + FAISS)": naive,
    }
    print("| system | recall@1 | recall@3 | recall@5 | MRR |\n|---|---|---|---|---|")
    for name, fn in systems.items():
        print(row(name, score(questions, fn)), flush=True)
    print(f"\nindex build (chunk + embed + save): ours {build_s:.2f} s for {len(chunks)} chunks; "
          f"naive {naive_build_s:.2f} s")
    print(f"query latency, ours: p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms "
          f"({len(latencies)} queries)")

    if args.sweep:
        print("\nchunk size bound (ours):\n| max_chars | chunks | recall@1 | recall@3 | recall@5 | MRR |\n|---|---|---|---|---|---|")
        for mc in [int(x) for x in args.sweep.split(",")]:
            r, _ = build(args.corpus, embedder, mc)
            m = score(questions, lambda q, r=r: [h.chunk.text for h in r.search(q, max(KS))])
            print(f"| {mc} | {len(r.index.chunks)} " + row("", m)[2:], flush=True)
    print(f"\npeak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
