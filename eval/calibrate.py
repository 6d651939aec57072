"""Calibrates the refusal threshold (evidence strength) on a question set with answerable and unanswerable rows.

    .venv/bin/python -m eval.calibrate [--questions eval/questions/seed.jsonl] [--max-false-refusal 0.02]
    .venv/bin/python -m eval.calibrate --questions eval/questions/shanghai-regulations.jsonl \
        --library ../shared/corpora/shanghai-regulations --index .cache/calib-regs   # another embedder: --embedder …

Prints the best-sentence similarity of each kind of question, the threshold chosen (the highest one that
refuses at most --max-false-refusal of answerable questions by itself) and what the whole refusal
decision (threshold + answer-type checks + metadata) does with it, extractive backend, no LLM.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.config import DEFAULT_CORPUS
from assistant.retrieval.retrieve import Retriever
from assistant.serving.wiring import add_embedder_args, embedder_config
from assistant.store.embedding import make_embedder
from assistant.store.knowledge import KnowledgeBase

from .metrics import percentile

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--library", type=Path, action="append", default=[], help="library folders, read in place")
    p.add_argument("--index", type=Path, help="index folder to build or reuse (default: a temporary one); "
                   "an embedder that takes an hour over a library needs it only once")
    p.add_argument("--max-false-refusal", type=float, default=0.02)
    p.add_argument("--threshold", type=float, help="check this threshold (one calibrated on another set) instead "
                   "of choosing one")
    add_embedder_args(p)
    args = p.parse_args(argv)
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    emb = make_embedder(embedder_config(args))
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="calib-"))
    index, _ = KnowledgeBase(args.corpus, index_dir, emb, library=tuple(args.library)).sync(progress=True)
    retriever = Retriever(index, emb)
    best = {r["id"]: max(h.dense_score for h in retriever.search(r["question"], 5)) for r in rows}
    pos = sorted(best[r["id"]] for r in rows if r.get("answerable", True))
    neg = sorted(best[r["id"]] for r in rows if not r.get("answerable", True))
    for name, xs in (("answerable", pos), ("unanswerable", neg)):
        print(f"{name:>12}: n={len(xs)} min {xs[0]:.4f} p5 {percentile(xs, 5):.4f} p50 {percentile(xs, 50):.4f} max {xs[-1]:.4f}")
    allowed = int(args.max_false_refusal * len(pos))
    threshold = round(pos[allowed] - 0.0005, 3) if pos else 0.0
    if args.threshold is not None:
        print(f"chosen here: {threshold:.3f}; checking the given one instead")
        threshold = args.threshold
    print(f"threshold = {threshold:.3f} (refuses {sum(x < threshold for x in pos)}/{len(pos)} answerable, "
          f"{sum(x < threshold for x in neg)}/{len(neg)} unanswerable by itself)")

    assistant = Assistant(retriever, None, AnswerConfig(refusal_threshold=threshold))
    refused = {r["id"]: assistant.ask(r["question"]).refused for r in rows}
    fr = [r["id"] for r in rows if r.get("answerable", True) and refused[r["id"]]]
    missed = [r["id"] for r in rows if not r.get("answerable", True) and not refused[r["id"]]]
    n_neg = sum(1 for r in rows if not r.get("answerable", True))
    print(f"whole decision: refusal on unanswerable {(n_neg - len(missed)) / max(n_neg, 1):.3f} "
          f"(missed: {', '.join(missed) or 'none'}); false refusals {len(fr) / max(len(pos), 1):.3f} "
          f"({', '.join(fr) or 'none'})")


if __name__ == "__main__":
    main()
