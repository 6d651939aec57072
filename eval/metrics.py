"""Pure metric functions: evidence recall, MRR, latency percentiles, and character-level answer metrics."""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from assistant.normalize import canonical_numbers, contains_number_text, normalize
from assistant.patterns import CITATION


def evidence_recall(evidence: Sequence[str], retrieved: Sequence[str], k: int) -> float:
    """Share of gold spans found in the top-k retrieved texts; nan for no spans."""
    return recall_from_ranks(span_ranks(evidence, retrieved), k)


def reciprocal_rank(evidence: Sequence[str], retrieved: Sequence[str]) -> float:
    """1/rank of the first retrieved text that contains a gold span; 0 when none does."""
    return rr_from_ranks(span_ranks(evidence, retrieved))


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


# --- answer metrics (character level: Chinese has no spaces, so characters are the tokens) ---

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def answer_chars(text: str) -> str:
    """The characters compared by char-F1 and ROUGE-L: normalised; citation marks, punctuation and symbols removed."""
    return "".join(c for c in normalize(CITATION.sub("", text)) if not unicodedata.category(c).startswith(("P", "S")))


def char_f1(prediction: str, reference: str) -> float:
    """F1 of the character multisets of prediction and reference (SQuAD's token F1 with characters as tokens)."""
    pred, ref = answer_chars(prediction), answer_chars(reference)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def lcs_length(a: Sequence, b: Sequence) -> int:
    """Length of the longest common subsequence of a and b."""
    if len(a) < len(b):
        a, b = b, a
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0  # row[j-1] of the previous row
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 over characters: 2PR/(P+R) with P, R = LCS length over prediction and reference lengths."""
    pred, ref = answer_chars(prediction), answer_chars(reference)
    lcs = lcs_length(pred, ref)
    if not lcs:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def phrase_coverage(phrases: Sequence[str], text: str) -> float:
    """Share of key phrases found in the text after normalisation, numbers compared by value ("30天" covers
    "三十日"); nan when there are none."""
    if not phrases:
        return math.nan
    t, canon = normalize(text), canonical_numbers(CITATION.sub(" ", text))
    return sum(normalize(p) in t or contains_number_text(canon, canonical_numbers(p)) for p in phrases) / len(phrases)


def numbers(text: str) -> list[str]:
    """The numbers a text states, Chinese numerals included (NFKC, thousands separators dropped, 万 and 亿
    multiplied out, citation marks [n] ignored): "三十日" and "30日" both state 30."""
    t = THOUSANDS.sub("", unicodedata.normalize("NFKC", CITATION.sub(" ", text)))
    return NUMBER.findall(canonical_numbers(t))


def numbers_traceable(answer: str, sources: Sequence[str]) -> bool:
    """Whether every number in the answer is also a number in one of its sources."""
    known = {n for s in sources for n in numbers(s)}
    return all(n in known for n in numbers(answer))


def citation_precision(cited: Sequence[str], evidence: Sequence[str]) -> float:
    """Share of cited texts that contain at least one gold span; nan when nothing is cited or no gold."""
    if not cited or not evidence:
        return math.nan
    spans = [normalize(s) for s in evidence]
    return sum(any(s in normalize(c) for s in spans) for c in cited) / len(cited)


def span_ranks(evidence: Sequence[str], retrieved: Sequence[str]) -> list[int]:
    """For each gold span, the 1-based rank of the first retrieved text containing it (0 = not found)."""
    texts = [normalize(t) for t in retrieved]
    spans = [normalize(s) for s in evidence]
    return [next((r for r, t in enumerate(texts, start=1) if s in t), 0) for s in spans]


def budget_recall(evidence: Sequence[str], retrieved: Sequence[str], chars: int) -> float:
    """Share of gold spans found in the first `chars` characters of the retrieved texts, read in rank order: recall at
    an equal reading budget, fair between systems whose texts differ in length (ev@k favours longer chunks)."""
    read, left = [], chars
    for text in retrieved:
        if left <= 0:
            break
        read.append(text[:left])
        left -= len(text)
    joined = normalize("\n".join(read))
    return sum(normalize(s) in joined for s in evidence) / len(evidence) if evidence else float("nan")


def rr_from_ranks(ranks: Sequence[int]) -> float:
    """Reciprocal rank from `span_ranks`: 1/rank of the best-placed span found; 0 when none is found."""
    found = [r for r in ranks if r]
    return 1 / min(found) if found else 0.0


def recall_from_ranks(ranks: Sequence[int], k: int) -> float:
    """Evidence recall@k from `span_ranks`: share of spans found at rank k or better; nan for no spans."""
    if not ranks:
        return math.nan
    return sum(0 < r <= k for r in ranks) / len(ranks)
