"""Aggregate per-question records into the numbers of summary.json (None where a metric has no data)."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from assistant.records import NOT_STATED

from .metrics import mean, percentile

UNTYPED = "(none)"
LATENCIES = ("sources_ms", "first_token_ms", "total_ms")


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def _mean_of(records: Sequence[dict], key: str) -> float | None:
    return _num(mean([r[key] for r in records if r.get(key) is not None]))


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def retrieval_summary(records: Sequence[dict]) -> dict:
    """Evidence recall@1/3/5 and MRR over questions with gold spans; retrieval latency over all."""
    scored = [r for r in records if r["span_ranks"]]
    ms = [r["retrieval_ms"] for r in records]
    return {"n": len(scored), "recall@1": _mean_of(scored, "recall@1"), "recall@3": _mean_of(scored, "recall@3"),
            "recall@5": _mean_of(scored, "recall@5"), "mrr": _mean_of(scored, "rr"),
            "latency_ms_p50": _num(percentile(ms, 50)), "latency_ms_p95": _num(percentile(ms, 95))}


def answer_summary(records: Sequence[dict]) -> dict:
    """Coverage, overlap with references, refusals, citation precision, traceable numbers and latencies.

    Means are over the questions a metric applies to: must-coverage over answerable questions with key phrases,
    char-F1/ROUGE-L over those with a reference, citation precision over answers citing something for a question
    with gold spans, numbers traceable over non-refused answers that state a number.
    """
    answered = [r for r in records if r["answer"] is not None]
    answerable = [r for r in answered if r["answerable"]]
    unanswerable = [r for r in answered if not r["answerable"]]
    traced = [r["numbers_traceable"] for r in answered if r["numbers_traceable"] is not None]
    out = {
        "n": len(answered), "n_answerable": len(answerable), "n_unanswerable": len(unanswerable),
        "must_coverage": _mean_of(answerable, "must_coverage"),
        "char_f1": _mean_of(answered, "char_f1"), "rouge_l": _mean_of(answered, "rouge_l"),
        "refusal_rate_unanswerable": _share([r["answer"]["refused"] for r in unanswerable]),
        "false_refusal_rate": _share([r["answer"]["refused"] for r in answerable]),
        # refused, or 文件没有直接写明 with the related clauses: either way the question is not answered
        "declined_unanswerable": _share([declined(r) for r in unanswerable]),
        "declined_answerable": _share([declined(r) for r in answerable]),
        "citation_precision": _mean_of(answered, "citation_precision"),
        "numbers_traceable": _share(traced), "n_with_numbers": len(traced),
        "outdated_rate": _share([r["outdated"] for r in answered if r.get("outdated") is not None]),
        # How answers were made: an LLM answer that fails verification (or a model that is down) becomes extractive.
        "verified": dict(sorted(Counter(r["answer"]["verified"] for r in answered).items())),
    }
    for key in LATENCIES:
        values = [r["answer"]["timings"].get(key) for r in answered]
        values = [v for v in values if v is not None]
        out[f"{key}_p50"] = _num(percentile(values, 50))
        out[f"{key}_p95"] = _num(percentile(values, 95))
    return out


def declined(record: dict) -> bool:
    """Whether the answer refused (文件未涉及) or said the documents do not state what was asked (not_stated)."""
    return record["answer"]["refused"] or record["answer"]["verified"] == NOT_STATED


def system_summary(records: Sequence[dict]) -> dict:
    """The retrieval object, plus the answers object when the system answered."""
    out = {"n": len(records), "retrieval": retrieval_summary(records)}
    if any(r["answer"] is not None for r in records):
        out["answers"] = answer_summary(records)
    return out


def by_type(records: Sequence[dict]) -> dict[str, dict]:
    """Per question type: n, recall@5, MRR and, when answered, must-coverage, char-F1 and refusal rate."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r["type"] or UNTYPED, []).append(r)
    out = {}
    for kind in sorted(groups):
        rs = groups[kind]
        retrieval = retrieval_summary(rs)
        row = {"n": len(rs), "recall@5": retrieval["recall@5"], "mrr": retrieval["mrr"]}
        answered = [r for r in rs if r["answer"] is not None]
        if answered:
            row.update(must_coverage=_mean_of(answered, "must_coverage"), char_f1=_mean_of(answered, "char_f1"),
                       refused=_share([r["answer"]["refused"] for r in answered]))
        out[kind] = row
    return out


def summarize(records: Sequence[dict], baselines: dict[str, Sequence[dict]]) -> dict:
    """summary.json: ours at the top level, the baselines side by side under "baselines"."""
    out = {**system_summary(records), "by_type": by_type(records)}
    if baselines:
        out["baselines"] = {name: system_summary(rs) for name, rs in baselines.items()}
    return out
