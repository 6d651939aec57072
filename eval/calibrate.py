"""Calibrates the refusal threshold (evidence strength) on a question set with answerable and unanswerable rows.

    .venv/bin/python -m eval.calibrate [--questions eval/questions/seed.jsonl]
    .venv/bin/python -m eval.calibrate --questions eval/questions/shanghai-regulations.jsonl \
        --library ../shared/corpora/shanghai-regulations --index .cache/calib-regs   # another embedder: --embedder …

Prints the best-sentence similarity of each kind of question, the threshold chosen and what the whole refusal
decision (threshold + answer-type checks + metadata) does with it, extractive backend, no LLM.

The threshold must earn its place (`earned_threshold`): it is the value under which the most unanswerable questions
that nothing else declines are refused, net of the answerable ones it refuses; ties go to the lowest. With the
default embedder that is 0 on all three libraries: off-topic questions score as high as answerable ones
(docs/limitations.md), and every rule that declines the near-misses reads the clauses, not the similarity.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.config import DEFAULT_CORPUS
from assistant.retrieval.retrieve import Retriever
from assistant.serving.wiring import add_embedder_args, embedder_config
from assistant.store.embedding import make_embedder
from assistant.store.knowledge import KnowledgeBase

from .metrics import percentile

ROOT = Path(__file__).resolve().parent.parent


def best_similarity(retriever: Retriever, question: str) -> float:
    """What the threshold is compared with: the best sentence similarity of the clauses about the question's
    subject (`Retrieval.subject`, as the answer pipeline judges it)."""
    return max((h.dense_score for h in retriever.retrieve(question, 5).subject), default=0.0)


def earned_threshold(rows: Sequence[tuple[bool, float, bool]]) -> float:
    """The evidence-strength threshold that earns its place, from one row per question: (answerable, best
    similarity, declined with no threshold). Of 0 and the values just above each best similarity, the one under
    which the most unanswerable questions nothing else declines are refused, net of the answerable ones it refuses;
    ties go to the lowest, so a threshold that refuses nothing useful is 0."""
    def net(t: float) -> int:
        return sum(-1 if answerable else 1 for answerable, best, declined in rows if best < t and not declined)

    candidates = [0.0, *sorted({round(best + 0.0005, 4) for _, best, _ in rows})]
    return max(candidates, key=lambda t: (net(t), -t))


def threshold_rows(retriever: Retriever, questions: Sequence[tuple[str, bool]]) -> list[tuple[bool, float, bool]]:
    """(answerable, best similarity, declined with no threshold) of each (question, answerable), extractive."""
    assistant = Assistant(retriever, None, AnswerConfig(refusal_threshold=0.0))
    return [(answerable, best_similarity(retriever, q), assistant.ask(q).outcome != "answered")
            for q, answerable in questions]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--library", type=Path, action="append", default=[], help="library folders, read in place")
    p.add_argument("--index", type=Path, help="index folder to build or reuse (default: a temporary one); "
                   "an embedder that takes an hour over a library needs it only once")
    p.add_argument("--threshold", type=float, help="check this threshold (one calibrated on another set) instead "
                   "of choosing one")
    add_embedder_args(p)
    args = p.parse_args(argv)
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    emb = make_embedder(embedder_config(args))
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="calib-"))
    index, _ = KnowledgeBase(args.corpus, index_dir, emb, library=tuple(args.library)).sync(progress=True)
    retriever = Retriever(index, emb)
    rows_t = threshold_rows(retriever, [(r["question"], r.get("answerable", True)) for r in rows])
    pos = sorted(best for answerable, best, _ in rows_t if answerable)
    neg = sorted(best for answerable, best, _ in rows_t if not answerable)
    for name, xs in (("answerable", pos), ("unanswerable", neg)):
        if not xs:  # an off-topic set has no answerable question
            print(f"{name:>12}: n=0")
            continue
        print(f"{name:>12}: n={len(xs)} min {xs[0]:.4f} p5 {percentile(xs, 5):.4f} p50 {percentile(xs, 50):.4f} max {xs[-1]:.4f}")
    threshold = earned_threshold(rows_t)
    if args.threshold is not None:
        print(f"chosen here: {threshold:.4f}; checking the given one instead")
        threshold = args.threshold
    print(f"threshold = {threshold:.4f} (refuses {sum(x < threshold for x in pos)}/{len(pos)} answerable, "
          f"{sum(x < threshold for x in neg)}/{len(neg)} unanswerable by itself)")

    if threshold:
        assistant = Assistant(retriever, None, AnswerConfig(refusal_threshold=threshold))
        declined = {r["id"]: assistant.ask(r["question"]).outcome != "answered" for r in rows}  # refused or not stated
    else:  # no threshold: what threshold_rows asked already
        declined = {r["id"]: row[2] for r, row in zip(rows, rows_t)}
    fr = [r["id"] for r in rows if r.get("answerable", True) and declined[r["id"]]]
    missed = [r["id"] for r in rows if not r.get("answerable", True) and not declined[r["id"]]]
    n_neg = sum(1 for r in rows if not r.get("answerable", True))
    print(f"whole decision: unanswerable declined (refused or not stated) {(n_neg - len(missed)) / max(n_neg, 1):.3f} "
          f"(missed: {', '.join(missed) or 'none'}); answerable declined {len(fr) / max(len(pos), 1):.3f} "
          f"({', '.join(fr) or 'none'})")


if __name__ == "__main__":
    main()
