"""The 问答 tab's 筛选条件: what the controls offer, the Filters they describe, and the line that says so."""
from __future__ import annotations

from collections.abc import Sequence

from assistant.ingest.library import LABELS, Library
from assistant.retrieval.retrieve import Filters
from assistant.serving.render.documents import find_documents
from assistant.serving.render.markup import esc

ANY = "不限"


def filter_options(library: Library) -> dict[str, list]:
    """What the 问答 filters offer, only values the library holds: documents as (《title》(version), doc_id),
    issuing bodies, kinds and statuses (most documents first), and the years."""

    def by_count(values) -> list[str]:
        counts: dict[str, int] = {}
        for v in values:
            if v:
                counts[v] = counts.get(v, 0) + 1
        return sorted(counts, key=lambda v: (-counts[v], v))

    ids = find_documents(library)
    meta = [library.meta(d) for d in ids]
    statuses = by_count(library.status(d).label for d in ids)
    order = list(LABELS.values())  # the four computed statuses in their usual order, a declared one after
    return {"documents": [(library.named(d), d) for d in ids],
            "issuers": by_count(str(m.get("issuer") or "") for m in meta),
            "kinds": by_count(str(m.get("kind") or "") for m in meta),
            "statuses": sorted(statuses, key=lambda s: (order.index(s) if s in order else len(order), s)),
            "years": sorted({y for d in ids if (y := library.year(d))})}


def qa_filters(docs: Sequence[str] | None, issuer: str | None, kind: str | None, statuses: Sequence[str] | None,
               year_from: str | None, year_to: str | None) -> Filters:
    """The Filters the 问答 controls describe; 不限 or nothing chosen leaves a field open. A year range with
    one end open runs to the other end; a reversed range matches nothing, and the answer says so."""
    low, high = (None if y in (None, "", ANY) else int(y) for y in (year_from, year_to))
    years = None if low is None and high is None else (low or 0, high or 9999)
    return Filters(docs=tuple(docs or ()), issuer="" if issuer in (None, ANY) else issuer,
                   kind="" if kind in (None, ANY) else kind, status=tuple(statuses or ()), years=years)


def filters_line(filters: Filters, library: Library) -> str:
    """The line above the chat that says how answers are narrowed ("" when nothing is filtered)."""
    if not filters:
        return ""
    parts = []
    if filters.docs:
        parts.append("文件=" + "、".join(library.named(d) if d in library.documents else d for d in filters.docs))
    for label, value in (("发文机关", filters.issuer), ("文件类型", filters.kind), ("部门", filters.department),
                         ("章节", filters.section), ("地区", filters.region)):
        if value:
            parts.append(f"{label}={value}")
    if filters.status:
        parts.append("效力状态=" + "、".join(filters.status))
    if filters.years:
        low, high = filters.years
        span = (str(low) if low == high else f"{low}–{high}") if low and high < 9999 else (
            f"{low} 年起" if low else f"{high} 年及以前")
        parts.append(f"年份={span}")
    return f'<div class="filter-line">已按筛选条件检索：{esc("；".join(parts))}</div>'
