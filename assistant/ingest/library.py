"""A policy library: which documents are versions of one another, and which are in force on a given day.

Status is computed when an index is loaded, against today's date and the other documents (never stored):
现行有效; 已被新版本取代 (the same title with a later version date in the library, which is named); 已废止 (a
document of the library in effect by then says so: "原《…》（文号）同时废止", matched by 文号 or title);
已过期 (its stated period, e.g. 2020-2022年, has ended, or its validity: 有效期至…, or 有效期2年 counted from the day
it takes effect or was issued); 尚未生效 (its effective date is still ahead);
征求意见稿（未生效） (a draft put out for comments, as its title says). A document may also have supplements: later
documents titled "…《X》补充规定" that change it while it stays in force (`supplements`).
A sidecar's ``"status"`` (e.g. "已废止") wins over all of these.

Example::

    library = Library(index.manifest["documents"], today=date(2026, 11, 30))
    library.status("上海市优化营商环境条例(2020-04-10)").label   # "已被新版本取代"
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.normalize import normalize
from assistant.patterns import document_name

IN_FORCE, SUPERSEDED, EXPIRED, NOT_YET, DECLARED = "in_force", "superseded", "expired", "not_yet", "declared"
DRAFT, REPEALED = "draft", "repealed"
LABELS = {IN_FORCE: "现行有效", SUPERSEDED: "已被新版本取代", REPEALED: "已废止", EXPIRED: "已过期", NOT_YET: "尚未生效",
          DRAFT: "征求意见稿（未生效）"}
PERIOD_END = re.compile(r"((?:19|20)\d{2})\s*年?$")


@dataclass(frozen=True)
class Status:
    """A document's standing: `code` (one of the constants above), the label users read, and why."""

    code: str
    label: str
    reason: str = ""
    newer: str = ""  # doc_id of the version in force, when superseded

    @property
    def in_force(self) -> bool:
        return self.code == IN_FORCE


def family(title: str) -> str:
    """Versions of one regulation share a title: its normalised form is the family key."""
    return normalize(title)


def named_policy(title: str) -> str:
    """The policy a notice publishes: 关于印发《X》的通知 → X; any other title as it is."""
    m = re.fullmatch(r"[^《》〈〉]{0,40}?(?:印发|转发|发布|公布)\s*[《〈](.+)[》〉]\s*(?:的|之)?(?:通知|决定|公告)", title.strip())
    return m.group(1) if m else title


# "关于印发《X》补充规定的通知", "关于《X》的补充通知": a later document that changes X — its dates, who may apply, what
# proves it — while X stays in force
SUPPLEMENT = re.compile(r"[《〈]([^《》〈〉]{4,80})[》〉]\s*(?:的)?补充(?:规定|通知|说明|意见|细则|办法)")
SUPPLEMENT_OF = re.compile(r"(.{4,80}?)(?:的)?补充(?:规定|通知|说明|意见|细则|办法)")  # "X补充规定", the title itself


def supplemented(title: str) -> str:
    """The policy a supplement changes: 关于印发《X》补充规定的通知 → X, 关于印发《X补充规定》的通知 → X, X补充规定 → X;
    "" for any other title."""
    if m := SUPPLEMENT.search(title):
        return m.group(1)
    m = SUPPLEMENT_OF.fullmatch(named_policy(title).strip())
    return m.group(1) if m else ""


def _number_key(number: str) -> str:
    """A 文号 with its brackets and spaces written one way: 雄安政字[2021]5号 = 雄安政字〔2021〕5号."""
    return re.sub(r"[\s〔〕\[\]［］【】()（）第]", "", number)


class Library:
    """The documents of one index (`manifest["documents"]`: doc_id → {title, meta, …}) and their status."""

    def __init__(self, documents: dict, today: date | None = None):
        self.documents = documents
        self.today = today or date.today()
        self.families: dict[str, list[str]] = {}
        for doc_id, d in documents.items():
            self.families.setdefault(family(d.get("title", "")), []).append(doc_id)
        for members in self.families.values():  # oldest first; an unknown date counts as oldest
            members.sort(key=lambda i: (self.version(i), i))
        self._titled: dict[str, list[str]] = {}  # the family of the policy each document publishes → its doc_ids
        for doc_id, d in documents.items():
            self._titled.setdefault(family(named_policy(d.get("title", ""))), []).append(doc_id)
        self._repealed_by = self._repeals()
        self._supplements = self._supplemented()
        self._status = {doc_id: self._compute(doc_id) for doc_id in documents}

    def meta(self, doc_id: str) -> dict:
        return self.documents.get(doc_id, {}).get("meta", {}) or {}

    def title(self, doc_id: str) -> str:
        return self.documents.get(doc_id, {}).get("title", "")

    def version(self, doc_id: str) -> str:
        """The version date (YYYY-MM-DD) the file name or the header states, or ""."""
        return self.meta(doc_id).get("version", "") or ""

    def year(self, doc_id: str) -> str:
        """The year a year range reads: the version date's, else the issue date's, else the first year of a
        stated period (2020-2022年); "" when the document states none."""
        meta = self.meta(doc_id)
        year = (self.version(doc_id) or str(meta.get("issued", "") or "") or str(meta.get("period", "") or ""))[:4]
        return year if year.isdigit() else ""

    def versions(self, doc_id: str) -> list[str]:
        """Every version of the document's regulation in the library, oldest first."""
        return list(self.families.get(family(self.title(doc_id)), [doc_id]))

    def status(self, doc_id: str) -> Status:
        return self._status.get(doc_id) or Status(IN_FORCE, LABELS[IN_FORCE])

    def named(self, doc_id: str) -> str:
        """《title》(version) as citations print it."""
        return document_name(self.title(doc_id), self.version(doc_id))

    def started(self, doc_id: str) -> str:
        """The day a document took effect: its stated effective date, else its issue date, else its version date."""
        meta = self.meta(doc_id)
        return str(meta.get("effective", "") or meta.get("issued", "") or "") or self.version(doc_id)

    def expires(self, doc_id: str) -> str:
        """The last day a document is valid (YYYY-MM-DD): 有效期至…, or 有效期N年 from the day it took effect; ""."""
        meta = self.meta(doc_id)
        if expires := str(meta.get("expires", "") or ""):
            return expires
        years, start = meta.get("valid_years"), self.started(doc_id)
        if not isinstance(years, int) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
            return ""
        y, m, d = map(int, start.split("-"))
        try:
            end = date(y + years, m, d)
        except ValueError:  # 29 February
            end = date(y + years, m, 28) + timedelta(days=1)
        return (end - timedelta(days=1)).isoformat()

    def supplements(self, doc_id: str) -> list[str]:
        """The documents of the library that supplement this one ("…《X》补充规定"), oldest first: what they change
        (a deadline, who may apply) the measure's own text does not say."""
        return self._supplements.get(doc_id, [])

    def _supplemented(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for doc_id in sorted(self.documents, key=self.started):
            if not (name := supplemented(self.title(doc_id))):
                continue
            for target in self._titled.get(family(name), []):
                if target != doc_id:
                    out.setdefault(target, []).append(doc_id)
        return out

    def _repeals(self) -> dict[str, str]:
        """doc_id → the first document of the library that repeals it and had taken effect by today."""
        by_number: dict[str, list[str]] = {}
        for doc_id, d in self.documents.items():
            if number := str(d.get("doc_number", "") or self.meta(doc_id).get("doc_number", "") or ""):
                by_number.setdefault(_number_key(number), []).append(doc_id)
        out: dict[str, str] = {}
        for doc_id in sorted(self.documents, key=self.started):
            started = self.started(doc_id)
            if not started or started > self.today.isoformat():
                continue
            for ref in self.meta(doc_id).get("repeals", []) or []:
                targets = by_number.get(_number_key(ref.get("doc_number", "")), []) if ref.get("doc_number") else []
                for target in targets or self._titled.get(family(named_policy(ref.get("title", ""))), []):
                    if target != doc_id and self.started(target) < started:  # an older document, never itself
                        out.setdefault(target, doc_id)  # the first to repeal it
        return out

    def _compute(self, doc_id: str) -> Status:
        meta = self.meta(doc_id)
        declared = meta.get("status")
        if isinstance(declared, str) and declared.strip():
            code = next((c for c, label in LABELS.items() if label == declared.strip()), DECLARED)
            return Status(code, declared.strip(), "文件元数据中注明")
        if meta.get("draft"):
            return Status(DRAFT, LABELS[DRAFT], "标题注明征求意见")
        members = self.versions(doc_id)
        latest = members[-1]
        if latest != doc_id and self.version(latest) > self.version(doc_id):
            return Status(SUPERSEDED, LABELS[SUPERSEDED], f"现行版本为{self.named(latest)}", newer=latest)
        if by := self._repealed_by.get(doc_id):
            return Status(REPEALED, LABELS[REPEALED], f"{self.named(by)}规定废止")  # still searched, flagged
        period = str(meta.get("period", "") or "")
        if (m := PERIOD_END.search(period)) and int(m.group(1)) < self.today.year:
            return Status(EXPIRED, LABELS[EXPIRED], f"实施期{period}已结束")
        expires = self.expires(doc_id)
        if expires and expires < self.today.isoformat():
            return Status(EXPIRED, LABELS[EXPIRED], f"有效期至{expires}")
        effective = str(meta.get("effective", "") or "")
        if effective and effective > self.today.isoformat():
            return Status(NOT_YET, LABELS[NOT_YET], f"自{effective}起施行")
        return Status(IN_FORCE, LABELS[IN_FORCE])
