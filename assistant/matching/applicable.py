"""Which measures of a library a company can apply for, best first, in the shape every front end shares.

符合 first, then 待确认 by the share of conditions met by what is particular to the company (not by registering in
the region, being a legal person or having a clean record, which any local company meets) plus how much of the
company's own wording the measure shares and how much of the notice's title the company names (a title names what
the notice supports: 贷款贴息, 机器人产业, 零工驿站认定), less the share of the ways into the status an item is for
(纳入科技企业库) that the company fails, open windows before closed ones; only documents in force and published by the
application month. The weights were chosen leave-one-company-out (docs/results.md).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import lru_cache

import jieba

from assistant.ingest.conditions import CREDIT, LEGAL, PLACE
from assistant.ingest.library import Library
from assistant.ingest.measures import Measure, ways_in
from assistant.matching.applicant import Applicant
from assistant.matching.eligibility import ELIGIBLE, INELIGIBLE, MET, TO_CONFIRM, MeasureResult, Rules, check_measure

VERDICT_ORDER = {ELIGIBLE: 0, TO_CONFIRM: 1, INELIGIBLE: 2}
SUPPLEMENTED = "另有补充文件"
MEMBERSHIP = "入库途径"
GENERIC = (PLACE, LEGAL, CREDIT)


def library_measures(documents: dict) -> dict[str, list[Measure]]:
    """The measures stored with each document of an index (`manifest["documents"]`)."""
    return {doc_id: [Measure.from_json(m) for m in d.get("measures", [])] for doc_id, d in documents.items()}


def rank(documents: dict, applicant: Applicant, as_of: date, doc: str = "", k: int = 10,
         include_failed: bool = False, rules: Rules = Rules()) -> list[tuple[MeasureResult, str]]:
    """(result, document status label) for the measures the company can apply for, in the order above: only
    documents in force at `as_of` and published by then, unless `doc` (a doc_id) names one; 不符合 ones only with
    `include_failed` (always when `doc` is named)."""
    library, every = Library(documents, today=as_of), library_measures(documents)
    out = []
    for doc_id, measures in ({doc: every[doc]} if doc else every).items():
        issued = str(library.meta(doc_id).get("issued", "") or "")
        status = library.status(doc_id)
        if not doc and (not status.in_force or issued[:7] > as_of.isoformat()[:7]):  # published by that month
            continue
        supplements = [s for s in library.supplements(doc_id) if library.started(s)[:7] <= as_of.isoformat()[:7]]
        results = {m.measure_id: check_measure(m, applicant, as_of, rules) for m in measures}
        for measure in measures:
            result = results[measure.measure_id]
            if routes := [results[m.measure_id] for m in ways_in(measure, measures)]:
                result.routes = routes
                result.notes.append(_routes_note(measure, routes))
            if supplements:  # a later document changed it: its deadline or who may apply may not be the text's
                result.supplements = supplements
                result.notes += [f"{SUPPLEMENTED}：{library.named(s)}（{library.started(s)}），申报时间、范围等如有调整，以它为准"
                                 for s in supplements]
            if result.verdict != INELIGIBLE or include_failed or doc:
                out.append((result, status.label))
    out = order(out, applicant, library, idf=measure_idf(every))
    return out[:k] if k else out


# How much the wording overlap and the title named count beside the share of conditions met: chosen
# leave-one-company-out over the companies file (eval.bench_eligibility --sweep; docs/results.md)
OVERLAP_WEIGHT = 4.0
TITLE_WEIGHT = 1.0


def order(ranked: list[tuple[MeasureResult, str]], applicant: Applicant, library: Library,
          share: Callable[[MeasureResult], float] | None = None, weight: float = OVERLAP_WEIGHT,
          title_weight: float = TITLE_WEIGHT, idf: Callable[[str], float] | None = None
          ) -> list[tuple[MeasureResult, str]]:
    """`ranked` in the order above: those it may meet with open windows first, then with closed ones (they cannot be
    applied for now), then those it fails; within each the verdict, then `share` (the particular share of conditions
    met) plus `weight` times the overlap with the company's words plus `title_weight` times the share of the
    notice's title the company names, fewer unknowns, newer notices. `idf`: `measure_idf` of the library's measures,
    when the caller has them read already."""
    share = share or _particular_share
    words = _bigrams(" ".join([applicant.description, str(applicant.profile.get("industry", ""))]))
    idf = idf or measure_idf(library_measures(library.documents))
    named = _title_named(applicant, library)
    return sorted(ranked, key=lambda rs: (
        rs[0].verdict == INELIGIBLE, rs[0].closed, VERDICT_ORDER[rs[0].verdict],
        -(share(rs[0]) + weight * _overlap(words, rs[0].measure, idf) + title_weight * named(rs[0].measure.doc_id)),
        len(rs[0].unknown), -int(re.sub(r"\D", "", str(library.meta(rs[0].measure.doc_id).get("issued", "")))[:8] or 0)))


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for run in re.findall(r"[\u4e00-\u9fff]+", text) for w in jieba.lcut(run) if len(w) >= 2)


@lru_cache(maxsize=8)
def _title_idf(titles: tuple[str, ...]) -> dict[str, float]:
    """How rare each word of the library's titles is among them: 关于, 通知, the region's name weigh next to nothing."""
    df = Counter(w for t in titles for w in _words(t))
    return {w: math.log(len(titles) / n) for w, n in df.items()}


def _title_named(applicant: Applicant, library: Library) -> Callable[[str], float]:
    """doc_id → the share (0–1, by rarity among the library's titles) of the document's title words the company's
    name, description, industry and qualifications use."""
    profile = applicant.profile
    company = " ".join([applicant.name, applicant.description, str(profile.get("industry", "")),
                        " ".join(map(str, profile.get("qualifications", []) or []))])
    idf = _title_idf(tuple(sorted(library.title(d) for d in library.documents)))

    @lru_cache(maxsize=None)
    def named(doc_id: str) -> float:
        weights = {w: idf.get(w, 0.0) for w in _words(library.title(doc_id))}
        total = sum(weights.values())
        return sum(v for w, v in weights.items() if w in company) / total if total else 0.0
    return named


@lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    chars = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return frozenset(chars[i:i + 2] for i in range(len(chars) - 1))


def _measure_text(measure: Measure) -> str:
    return measure.name + "".join(c.text for c in measure.conditions)


def measure_idf(measures: dict[str, list[Measure]]) -> Callable[[str], float]:
    """How rare a character pair is among the library's measures: 注册, 法人, 企业 weigh little, one no measure
    has the most."""
    return _pair_idf(tuple(_measure_text(m) for ms in measures.values() for m in ms))


@lru_cache(maxsize=8)
def _pair_idf(texts: tuple[str, ...]) -> Callable[[str], float]:
    df = Counter(b for t in texts for b in _bigrams(t))
    return lambda pair: math.log((len(texts) + 1) / (df.get(pair, 0) + 0.5))


def _overlap(words: frozenset[str], measure: Measure, idf: Callable[[str], float]) -> float:
    """How much the company's wording and the measure's name and conditions share (0–1, the cosine of their character
    pairs, each weighed by its rarity among the library's measures): a measure about what the company does comes
    before one any company in the region meets, and a long list of conditions does not share more by its length."""
    theirs = _bigrams(_measure_text(measure))
    if not words or not theirs:
        return 0.0
    weight = lambda pairs: sum(idf(b) ** 2 for b in pairs)  # noqa: E731
    return weight(words & theirs) / math.sqrt(weight(words) * weight(theirs))


def _particular_share(result: MeasureResult) -> float:
    """The share of a measure's conditions the company meets other than by the checks any company of the region
    passes (place, legal person, credit), less the share of the ways into the status it is for that the company
    fails, counted as one condition (科技企业库: 认定条件 不符合, 直接入库 待确认 → −½ of one condition)."""
    particular = [c for c in result.conditions if c.status == MET
                  and not (c.condition.checks and all(k.kind in GENERIC for k in c.condition.checks))]
    return (len(particular) - result.routes_failed) / max(len(result.conditions), 1)


def _routes_note(measure: Measure, routes: list[MeasureResult]) -> str:
    """What the card says about the status a measure is for: each way in and the company's verdict on it."""
    def way(r: MeasureResult) -> str:
        first = r.measure.conditions[0].text if r.measure.conditions else r.measure.name
        said = f"“{first[:24]}…”" if len(first) > 24 else f"“{first}”"
        return said + r.verdict + (f"（{r.failed[0].reason}）" if r.failed else "")
    return f"{MEMBERSHIP}：须先纳入{measure.membership}，本文件所列途径：{'；'.join(way(r) for r in routes)}"


def result_json(result: MeasureResult, documents: dict, status: str) -> dict:
    """The shape the CLI, the API and the app share."""
    m = result.measure
    quote = lambda q: {"text": q.text, "start": q.start, "end": q.end, "value": q.value} if q else None  # noqa: E731
    return {"doc": m.doc_id, "title": documents.get(m.doc_id, {}).get("title", ""), "measure": m.name,
            "measure_id": m.measure_id, "verdict": result.verdict,
            "conditions": [{"quote": r.condition.text, "quote_start": r.condition.start, "quote_end": r.condition.end,
                            "status": r.status, "fact": r.fact, "reason": r.reason, "group": r.condition.group}
                           for r in result.conditions],
            "amount": quote(m.amount), "deadline": quote(m.deadline), "office": quote(m.office),
            "contacts": [quote(c) for c in m.contacts], "status": status, "notes": result.notes,
            "supplements": [{"doc": s, "title": documents.get(s, {}).get("title", ""),
                             "issued": str((documents.get(s, {}).get("meta") or {}).get("issued", "") or "")}
                            for s in result.supplements]}
