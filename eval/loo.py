"""Leave-one-library-out: every constant chosen on two of the three libraries and reported on the third.

    .venv/bin/python -m eval.loo                       # retrieval fusion and the refusal threshold, three held-out rows
    .venv/bin/python -m eval.loo --part retrieval      # only the fusion constants (no answers)

The libraries are of different kinds: the seed action plan (one document), the Shanghai regulations (233, several
versions) and the Xiong'an enterprise notices (152 messy PDF conversions). For each held-out library:

- **Fusion** (`RetrievalConfig`: RRF k, the BM25, structure, asked-kind and title weights): the grid point with the
  best mean of (doc@1 + ev@5 + MRR) / 3 over the two other libraries, scored on the held-out one beside the defaults,
  dense only and a plain RRF of dense and BM25 (k = 60, equal weights).
- **Evidence strength** (the refusal threshold): the value that earns most on the two other libraries (the rule of
  `eval.calibrate`: unanswerable questions nothing else declines that it refuses, net of the answerable ones it
  refuses; ties to the lowest), then the whole answer pipeline (extractive, no model) on the held-out library:
  unanswerable questions declined (refused or marked not stated), answerable ones declined, key-phrase coverage.

Indexes are the cached ones of `eval.bench_retrieval` (--workdir); a first run builds them.
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.config import ChunkingConfig, RetrievalConfig
from assistant.retrieval.retrieve import Retriever
from assistant.store.embedding import EmbedderConfig, make_embedder

from .bench import ROOT, md_table
from .calibrate import earned_threshold, threshold_rows
from .bench_retrieval import (Corpus, build_ours, dense_only, hybrid, plain_rrf, regulations_corpus, score,
                              seed_corpus, xiongan_corpus)
from .metrics import phrase_coverage
from .questions import Question, load_questions

LIBRARIES = {"seed": (seed_corpus, "seed.jsonl"), "regulations": (regulations_corpus, "shanghai-regulations.jsonl"),
             "xiongan": (xiongan_corpus, "xiongan-policies.jsonl")}
# RRF's k from sharp to flat (60: the textbook value), BM25 as tie-breaker or equal, the structure ranking, the
# asked-kind ranking and the document-title ranking off, halved or full
GRID = {"rrf_k": (10, 30, 60), "bm25_weight": (0.5, 1.0), "structure_weight": (0.0, 0.5, 1.0),
        "kind_weight": (0.0, 0.5), "title_weight": (0.0, 0.5, 1.0)}


def objective(m: dict) -> float:
    return (m["doc@1"] + m["ev@5"] + m["mrr"]) / 3


def fusion(retrievers: dict[str, Retriever], cases: dict[str, Corpus]) -> list[list[str]]:
    """The grid on every library, then one held-out row per library."""
    points = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    scores = {}
    for point in points:
        config = dataclasses.replace(RetrievalConfig(), **point)
        for r in retrievers.values():
            r.config = config  # the same indexes, another way of fusing them
        scores[tuple(point.values())] = {name: score(cases[name].cases, hybrid(r)) for name, r in retrievers.items()}
        print(f"{point}: " + ", ".join(f"{n} {objective(m):.3f} ({m['doc@1']:.3f} / {m['ev@5']:.3f} / {m['mrr']:.3f})"
                                       for n, m in scores[tuple(point.values())].items()), flush=True)
    default = tuple(getattr(RetrievalConfig(), k) for k in GRID)
    rows = []
    for held in retrievers:
        train = [n for n in retrievers if n != held]
        chosen = max(scores, key=lambda p: (sum(objective(scores[p][n]) for n in train), p == default))
        r = retrievers[held]
        r.config = RetrievalConfig()
        baselines = {"dense only": score(cases[held].cases, dense_only(r)),
                     "RRF(dense, BM25)": score(cases[held].cases, plain_rrf(r))}
        fmt = lambda m: f"{m['doc@1']:.3f} / {m['ev@5']:.3f} / {m['mrr']:.3f}"  # noqa: E731
        rows.append([held, ", ".join(f"{k}={v}" for k, v in zip(GRID, chosen)), fmt(scores[chosen][held]),
                     fmt(scores[default][held]), fmt(baselines["dense only"]), fmt(baselines["RRF(dense, BM25)"])])
    return rows


def answers(assistant: Assistant, questions: Sequence[Question]) -> dict:
    """Declined (refused or not stated) shares and key-phrase coverage of the extractive answers."""
    outcomes = [(q, assistant.ask(q.question)) for q in questions]
    declined = lambda a: a.outcome != "answered"  # noqa: E731
    una = [declined(a) for q, a in outcomes if not q.answerable]
    ans = [declined(a) for q, a in outcomes if q.answerable]
    cov = [phrase_coverage(q.must, a.text) for q, a in outcomes if q.answerable and q.must]
    return {"unanswerable_declined": sum(una) / len(una), "answerable_declined": sum(ans) / len(ans),
            "must_coverage": sum(cov) / len(cov), "n_unanswerable": len(una), "n_answerable": len(ans)}


def threshold(retrievers: dict[str, Retriever], questions: dict[str, list[Question]]) -> list[list[str]]:
    base = {name: Assistant(r, None) for name, r in retrievers.items()}
    rows = {name: threshold_rows(r, [(q.question, q.answerable) for q in questions[name]])
            for name, r in retrievers.items()}
    out = []
    for held, r in retrievers.items():
        r.config = RetrievalConfig()
        t = earned_threshold([row for n in retrievers if n != held for row in rows[n]])
        default = answers(base[held], questions[held])
        held_out = default if t == base[held].threshold else \
            answers(Assistant(r, None, AnswerConfig(refusal_threshold=t)), questions[held])
        fmt = lambda m: (f"{m['unanswerable_declined']:.3f} / {m['answerable_declined']:.3f} / "  # noqa: E731
                         f"{m['must_coverage']:.3f}")
        out.append([held, f"{t:.4f}", fmt(held_out), f"{base[held].threshold:.4f}", fmt(default)])
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--part", choices=["all", "retrieval", "refusal"], default="all")
    p.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench", help="cached indexes (bench_retrieval)")
    p.add_argument("--json", type=Path, help="also write the tables here")
    args = p.parse_args(argv)
    embedder = make_embedder(EmbedderConfig())
    corpora = {name: make() for name, (make, _) in LIBRARIES.items()}
    retrievers = {name: build_ours(c, embedder, args.workdir, ChunkingConfig.max_chars)[0] for name, c in corpora.items()}
    out = {}
    if args.part in ("all", "retrieval"):
        out["fusion"] = fusion(retrievers, corpora)
        print("\n" + md_table(["held out", "chosen on the other two", "ours, chosen: doc@1 / ev@5 / MRR",
                               "ours, defaults", "dense only", "RRF(dense, BM25)"], out["fusion"]))
    if args.part in ("all", "refusal"):
        questions = {name: load_questions(ROOT / "eval" / "questions" / file)[0] for name, (_, file) in LIBRARIES.items()}
        out["threshold"] = threshold(retrievers, questions)
        print("\n" + md_table(["held out", "threshold chosen on the other two",
                               "declined unanswerable / answerable, coverage", "default threshold", "with the default"],
                              out["threshold"]))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
