"""Pure metric functions: evidence recall, MRR, latency percentiles."""
from __future__ import annotations

import math
from collections.abc import Sequence

from assistant.normalize import normalize


def spans_found(evidence: Sequence[str], retrieved: Sequence[str]) -> list[bool]:
    """For each gold span: does some retrieved text contain it (after NFKC and whitespace normalisation)?"""
    texts = [normalize(t) for t in retrieved]
    return [any(normalize(span) in t for t in texts) for span in evidence]


def evidence_recall(evidence: Sequence[str], retrieved: Sequence[str], k: int) -> float:
    """Share of gold spans found in the top-k retrieved texts."""
    if not evidence:
        return math.nan
    found = spans_found(evidence, retrieved[:k])
    return sum(found) / len(found)


def reciprocal_rank(evidence: Sequence[str], retrieved: Sequence[str]) -> float:
    """1/rank of the first retrieved text that contains a gold span; 0 when none does."""
    spans = [normalize(s) for s in evidence]
    for rank, text in enumerate(retrieved, start=1):
        t = normalize(text)
        if any(s in t for s in spans):
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; nan for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float:
    vals = [v for v in values if not math.isnan(v)]
    return sum(vals) / len(vals) if vals else math.nan
