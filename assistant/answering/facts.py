"""Questions about the documents' structured data, answered deterministically with citations.

文号, title, period, issuing body, outline, "which departments lead item X", "which items does department Y
lead" — these are fields of the parsed documents, so no model is asked and nothing can be invented.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.asks import ASK_DEPTS, ASK_DOC_NUMBER, ASK_ISSUER, ASK_ITEMS, ASK_OUTLINE, ASK_PERIOD, ASK_TITLE, ITEM_NUMBER
from assistant.normalize import find_normalized, normalize
from assistant.patterns import DEPARTMENT_NOTE
from assistant.records import Chunk, Hit

CN = {c: i for i, c in enumerate("零一二三四五六七八九十")}


@dataclass
class FactAnswer:
    """A deterministic answer: text with [n] markers and the (chunk, quote start, quote end) behind each n."""

    text: str
    sources: list[tuple[Chunk, int, int]] = field(default_factory=list)
    refused: bool = False


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN[s[1]]
    if s.endswith("十"):
        return CN[s[0]] * 10
    return CN[s[0]] * 10 + CN[s[-1]] if "十" in s else CN[s]


def _quote(chunk: Chunk, needle: str) -> tuple[Chunk, int, int]:
    """Cite `needle` inside the chunk (document offsets); the whole chunk when it is not there."""
    span = find_normalized(needle, chunk.text) if needle else None
    if span is None:
        return chunk, chunk.start, chunk.end
    return chunk, chunk.start + span[0], chunk.start + span[1]


def _dept_quote(chunk: Chunk) -> tuple[Chunk, int, int]:
    m = DEPARTMENT_NOTE.search(chunk.text)
    return (chunk, chunk.start + m.start(), chunk.start + m.end()) if m else (chunk, chunk.start, chunk.end)


class Facts:
    """Answers metadata questions from the chunks and the document records of one index.

    Example: ``Facts(index.chunks, index.manifest["documents"]).answer("这个通知的文号是多少？", hits)``
    """

    def __init__(self, chunks: Sequence[Chunk], documents: dict):
        self.chunks = list(chunks)
        self.documents = documents
        self.departments = sorted({d for c in chunks for d in c.departments}, key=lambda d: (-len(d), d))

    def answer(self, question: str, hits: Sequence[Hit], context: Sequence[Chunk] = (), bound: bool = False
               ) -> FactAnswer | None:
        """A deterministic answer when the question asks for structured data, else None. `context`: the clauses a
        follow-up refers to; `bound`: the question points at them ("这些措施…"), so only they are answered from."""
        doc_id = self._document(question, hits)
        if doc_id not in self.documents:
            return None
        if ASK_ISSUER.search(question):
            return self._issuer(doc_id)
        if ASK_DOC_NUMBER.search(question):
            return self._field(doc_id, "doc_number", "文号")
        if ASK_PERIOD.search(question) and self.documents[doc_id]["meta"].get("period"):
            return self._field(doc_id, "period", "实施期")
        if ASK_TITLE.search(question):
            return self._field(doc_id, "title", "全称")
        if ASK_OUTLINE.search(question):
            return self._outline(doc_id)
        q = normalize(question)
        named = [d for d in self.departments if normalize(d) in q]
        named = [d for d in named if not any(d != o and normalize(d) in normalize(o) for o in named)]  # 市委 in 市教委
        if named and ASK_ITEMS.search(question) and not ITEM_NUMBER.search(question):
            # "市教委负责哪些事项" / "市民政局和市财政局分别负责哪项工作": each named department, in question order
            return self._items_of(sorted(named, key=lambda d: q.find(normalize(d))))
        if ASK_DEPTS.search(question):
            items = self._items(question, hits, context, bound)
            if items:
                return self._departments_of(items)
        return None

    def _document(self, question: str, hits: Sequence[Hit]) -> str | None:
        for doc_id, d in self.documents.items():
            if d["title"] and normalize(d["title"])[:8] in normalize(question):
                return doc_id
        if hits:
            return hits[0].chunk.doc_id
        return next(iter(self.documents), None)

    def _header(self, doc_id: str) -> Chunk:
        return min((c for c in self.chunks if c.doc_id == doc_id), key=lambda c: c.start)

    def _field(self, doc_id: str, key: str, label: str) -> FactAnswer | None:
        d = self.documents[doc_id]
        value = d["meta"].get(key) or d.get(key)
        if not value:
            return FactAnswer(f"文件未涉及：《{d['title']}》正文中没有写明{label}。", refused=True)
        header = self._header(doc_id)
        if key == "title":
            return FactAnswer(f"文件全称为《{value}》[1]。", [_quote(header, value)])
        if key == "doc_number":
            return FactAnswer(f"《{d['title']}》的文号为{value}[1]。", [_quote(header, value)])
        years = re.sub(r"年$", "", value)
        return FactAnswer(f"《{d['title']}》的实施期为{value}[1]（见文件标题）。", [_quote(header, years)])

    def _issuer(self, doc_id: str) -> FactAnswer:
        d = self.documents[doc_id]
        issuer = d["meta"].get("issuer")
        if issuer:
            return FactAnswer(f"《{d['title']}》的发文机关为{issuer}[1]。", [_quote(self._header(doc_id), issuer)])
        number = f"文件的文号为{d['doc_number']}[1]，" if d.get("doc_number") else ""
        sources = [_quote(self._header(doc_id), d["doc_number"])] if number else []
        return FactAnswer(f"文件未涉及：《{d['title']}》正文中没有写明发文机关或签发人。{number}如需确认发文机关，请查阅正式发布页面。",
                          sources, refused=True)

    def _outline(self, doc_id: str) -> FactAnswer:
        sections: dict[str, list[Chunk]] = {}
        for c in sorted((c for c in self.chunks if c.doc_id == doc_id), key=lambda c: c.start):
            if c.path and c.path != ("前言",):
                sections.setdefault(c.path[0], []).append(c)
        lines: list[str] = []
        sources: list[tuple[Chunk, int, int]] = []
        for section, chunks in sections.items():
            subs = list(dict.fromkeys(c.path[1] for c in chunks if len(c.path) > 1))
            last = [c for c in chunks if len(c.path) > 1 and c.path[1] == subs[-1]][-1:] if subs else []
            ends = [chunks[0]] if len(subs) <= 3 else [chunks[0], *last]  # cite what the line names
            marks = "".join(f"[{len(sources) + i}]" for i in range(1, len(ends) + 1))
            sources += [(c, c.start, c.end) for c in ends]
            if len(subs) > 3:
                lines.append(f"{section}（{subs[0]} 至 {subs[-1]}）{marks}")
            else:
                lines.append(f"{section}（{'；'.join(subs)}）{marks}" if subs else f"{section}{marks}")
        title = self.documents[doc_id]["title"]
        return FactAnswer(f"《{title}》的正文结构如下：\n" + "\n".join(lines), sources)

    def _items(self, question: str, hits: Sequence[Hit], context: Sequence[Chunk], bound: bool) -> list[Chunk]:
        """The items whose departments are asked: the one numbered, else the context's (each once, in order),
        else (unless bound to the context) the best hit's."""
        m = ITEM_NUMBER.search(question)
        if m:
            n = str(_cn_number(next(g for g in m.groups() if g)))
            doc = hits[0].chunk.doc_id if hits else None
            for c in self.chunks:
                if c.item == n and c.departments and (doc is None or c.doc_id == doc):
                    return [c]
        items: dict[tuple, Chunk] = {}
        for c in context:
            if c.departments:
                items.setdefault((c.doc_id, c.path, c.item), c)  # a long item's pieces: the item once
        if items or bound:
            return list(items.values())
        return [h.chunk for h in hits if h.chunk.departments][:1]

    def _departments_of(self, items: Sequence[Chunk]) -> FactAnswer:
        """Each item's departments, one line each, cited to its (责任部门:…) note."""
        lines = []
        for n, chunk in enumerate(items, start=1):
            name = chunk.path[-1] if chunk.path else chunk.item
            lines.append(f"「{name}」的责任部门为：{'、'.join(chunk.departments)}[{n}]。")
        return FactAnswer("\n".join(lines), [_dept_quote(self._last_piece(c)) for c in items])

    def _last_piece(self, chunk: Chunk) -> Chunk:
        """A long item is split into pieces; the (责任部门:…) note sits in its last piece."""
        pieces = [c for c in self.chunks if c.doc_id == chunk.doc_id and c.path == chunk.path and c.item == chunk.item]
        return max(pieces, key=lambda c: c.start) if pieces else chunk

    def _items_of(self, departments: Sequence[str]) -> FactAnswer:
        paragraphs, sources = [], []
        for department in departments:
            items: dict[tuple, Chunk] = {}
            for c in self.chunks:
                if department in c.departments:
                    items[(c.doc_id, c.path)] = self._last_piece(c)
            lines = []
            for c in items.values():
                lead = "（列首位）" if c.departments[0] == department else ""
                sources.append(_dept_quote(c))
                lines.append(f"- {c.path[-1]}{lead}[{len(sources)}]")
            paragraphs.append(f"{department}是以下事项的责任部门：\n" + "\n".join(lines))
        return FactAnswer("\n".join(paragraphs), sources)
