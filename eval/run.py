"""Run a system over a question set: one JSON line per question, appended and flushed, so a rerun resumes.

A *system* is a function `Question -> dict` returning that question's record (retrieved sources, answer,
per-question metrics). Records of every system share one shape, so the summary and report treat our
assistant and the baselines alike.

Example::

    system = retrieval_system(lambda q, k: [hit_source(h) for h in retriever.search(q, k)], k=5)
    records = run_system(questions, system, Path("out/results.jsonl"), fresh=False)
"""
from __future__ import annotations

import json
import math
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from assistant.normalize import normalize
from assistant.records import Answer, Chunk, Hit

from .metrics import (char_f1, citation_precision, numbers, numbers_traceable, phrase_coverage,
                      recall_from_ranks, rouge_l, rr_from_ranks, span_ranks)
from .questions import Question

KS = (1, 3, 5)
System = Callable[[Question], dict]
Search = Callable[[str, int], list[dict]]


def chunk_source(chunk: Chunk, score: float) -> dict:
    """A retrieved chunk as stored in a record."""
    return {"id": chunk.id, "text": chunk.text, "path": chunk.path_str, "source": chunk.source,
            "score": round(float(score), 6)}


def hit_source(hit: Hit) -> dict:
    return chunk_source(hit.chunk, hit.score)


def retrieval_fields(q: Question, sources: Sequence[dict], retrieval_ms: float) -> dict:
    """A record's retrieval part: the sources, the rank of each gold span, recall@1/3/5 and reciprocal rank."""
    ranks = span_ranks(q.evidence, [s["text"] for s in sources])
    return {"id": q.id, "question": q.question, "type": q.type, "answerable": q.answerable,
            "retrieved": list(sources), "span_ranks": ranks,
            **{f"recall@{k}": _opt(recall_from_ranks(ranks, k)) for k in KS},
            "rr": rr_from_ranks(ranks) if ranks else None,
            "retrieval_ms": round(retrieval_ms, 1), "answer": None}


def answer_fields(q: Question, text: str, refused: bool, cited: Sequence[str], sources: Sequence[str]) -> dict:
    """A record's answer metrics; None where a metric does not apply (no gold, no numbers, refused)."""
    return {
        "must_coverage": _opt(phrase_coverage(q.must, text)) if q.answerable else None,
        "char_f1": char_f1(text, q.reference) if q.reference else None,
        "rouge_l": rouge_l(text, q.reference) if q.reference else None,
        "citation_precision": _opt(citation_precision(cited, q.evidence)),
        "numbers_traceable": numbers_traceable(text, sources) if numbers(text) and not refused else None,
        # a version question: does the answer state the superseded rule (counted wrong)?
        "outdated": any(normalize(s) in normalize(text) for s in q.outdated) if q.outdated else None,
    }


def _opt(x: float) -> float | None:
    """nan (no gold for this metric) becomes None, which JSON can hold."""
    return None if math.isnan(x) else x


def answer_json(answer: Answer) -> dict:
    """The parts of an Answer a record keeps."""
    return {"text": answer.text, "outcome": answer.outcome, "refused": answer.refused, "verified": answer.verified,
            "backend": answer.backend,
            "citations": [{"n": c.n, "chunk_id": c.chunk.id, "path": c.chunk.path_str, "source": c.chunk.source,
                           "text": c.chunk.text, "quote": c.quote} for c in answer.citations],
            "timings": dict(answer.timings), "notes": list(answer.notes)}


def retrieval_system(search: Search, k: int) -> System:
    """A system that only retrieves: `search(question, k)` gives the sources, best first."""
    def system(q: Question) -> dict:
        t = time.perf_counter()
        sources = search(q.question, k)
        return retrieval_fields(q, sources, (time.perf_counter() - t) * 1000)
    return system


def assistant_system(assistant, k: int) -> System:
    """Our assistant: its retriever's top-k for the retrieval metrics, `assistant.ask` for the answer."""
    def system(q: Question) -> dict:
        answer = assistant.ask(q.question)  # first, so that no cache warmed by our own search flatters its timings
        # Retrieval is scored on the retriever's own top-k, so answered and retrieval-only runs compare.
        sources = [hit_source(h) for h in assistant.retriever.search(q.question, k)]
        record = retrieval_fields(q, sources, answer.timings.get("retrieval_ms") or 0.0)
        cited = [c.chunk.text for c in answer.citations]
        # An answer may name its source ("根据《…(2020-2022年)》(2024-09-27)"): title, version date, 文号 and clause path
        # count as source text.
        traceable = [f"{c.chunk.label}\n{c.chunk.text}" for c in answer.citations]
        record["answer"] = answer_json(answer)
        record.update(answer_fields(q, answer.text, answer.refused, cited, traceable))
        return record
    return system


def read_results(path: Path) -> dict[str, dict]:
    """Records already in a results file, by id; a line cut short by an interruption is dropped from the file."""
    if not path.exists():
        return {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        print(f"{path}: dropping an incomplete last line (interrupted run)", file=sys.stderr)
        path.write_bytes(data[:cut])
        data = data[:cut]
    records: dict[str, dict] = {}
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[record["id"]] = record
    return records


def run_system(questions: Sequence[Question], system: System, path: Path, fresh: bool, desc: str = "ours") -> list[dict]:
    """Records of every question, in question order; questions already in `path` are not run again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        path.unlink(missing_ok=True)
    done = read_results(path)
    todo = [q for q in questions if q.id not in done]
    with path.open("a", encoding="utf-8") as f, tqdm(total=len(questions), initial=len(questions) - len(todo),
                                                     desc=desc, unit="问") as bar:
        for q in todo:
            record = system(q)
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            done[q.id] = record
            bar.update()
    return [done[q.id] for q in questions]


def prepare_out(out: Path, config: dict, fresh: bool) -> None:
    """Remember a run's settings in DIR/run.json; resuming with other settings is an error, not a mix."""
    path = out / "run.json"
    if fresh:
        shutil.rmtree(out / "baselines", ignore_errors=True)  # results.jsonl is truncated when the run starts
    elif path.exists() and (out / "results.jsonl").exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        changed = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
        if changed:
            diff = ", ".join(f"{k}: {old.get(k)!r} → {config.get(k)!r}" for k in changed)
            raise ValueError(f"{out} holds results of a run with other settings ({diff}); "
                             f"use --fresh to start over or another --out")
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
