"""Questions about versions and validity, answered from the library's metadata and the texts themselves.

"现在还有效吗" / "哪个版本现行" → the status of each version; "新旧版本有什么变化" → the articles changed,
added and removed, aligned by content (an inserted article renumbers the rest), each cited to both versions.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from assistant.answering.facts import FactAnswer
from assistant.asks import ABOUT_A_DOCUMENT, ASK_CHANGES, ASK_STATUS, CHANGE_WORDS
from assistant.ingest.library import Library
from assistant.normalize import normalize
from assistant.records import Chunk, Hit

# The region that opens a title ("江苏省…条例"), its name without 省/市 in the group: questions drop either.
REGION_PREFIX = re.compile(r"^(?:([\u4e00-\u9fff]{2,6}?)(?:省|自治区|市))")
MAX_LISTED = 6  # articles listed per kind of change; the counts cover all


class Versions:
    """Answers version and validity questions over one index's chunks and library."""

    def __init__(self, chunks: Sequence[Chunk], library: Library):
        self.library = library
        self.articles: dict[str, dict[str, list[Chunk]]] = {}  # doc_id → article (item) → its chunks, in order
        for c in chunks:
            if c.item:
                self.articles.setdefault(c.doc_id, {}).setdefault(c.item, []).append(c)
        self.first: dict[str, Chunk] = {}
        for c in chunks:
            if c.doc_id not in self.first or c.start < self.first[c.doc_id].start:
                self.first[c.doc_id] = c

    def answer(self, question: str, hits: Sequence[Hit]) -> FactAnswer | None:
        """A metadata answer when the question asks about validity, versions or changes, else None."""
        changes, status = ASK_CHANGES.search(question), ASK_STATUS.search(question)
        if not (changes or status) or not ABOUT_A_DOCUMENT.search(question):
            return None  # "证件过期了怎么办" asks about a licence, not about a document's validity
        doc_id = self._document(question, hits)
        if doc_id is None:
            return None
        versions = self.library.versions(doc_id)
        if changes and len(versions) > 1 and not self._asks_about_content(question, doc_id):
            return self.changes(versions[-2], versions[-1])
        return self.status(versions) if status else None

    def _asks_about_content(self, question: str, doc_id: str) -> bool:
        """Whether a change question names a subject besides the document ("…对夜间施工时段的规定有什么不同"):
        then the clauses of both versions answer it, not the list of changed articles."""
        title = normalize(self.library.title(doc_id))
        region = REGION_PREFIX.match(title)
        rest = normalize(question)
        # the title, then without its region ("XX条例"), then the region however written ("江苏省", "江苏")
        for name in (title, title[region.end():], region.group(0), region.group(1)) if region else (title,):
            rest = rest.replace(name, "")
        rest = re.sub(r"(?:19|20)\d{2}年?", "", CHANGE_WORDS.sub("", rest))
        return len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 4

    def status(self, versions: list[str]) -> FactAnswer:
        """The status of each version, newest first, each cited to its opening clause."""
        lines, sources = [], []
        for doc_id in reversed(versions):
            s = self.library.status(doc_id)
            why = f"（{s.reason}）" if s.reason else ""
            sources.append(self._cite(self.first[doc_id]))
            lines.append(f"- {self.library.named(doc_id)}：{s.label}{why}[{len(sources)}]")
        head = (f"{self.library.named(versions[-1])}共有 {len(versions)} 个版本收录在知识库中：" if len(versions) > 1
                else "该文件在知识库中的状态：")
        return FactAnswer("\n".join([head, *lines]), sources)

    def changes(self, old: str, new: str) -> FactAnswer:
        """Articles changed, added and removed from `old` to `new`, aligned by content."""
        a, b = self.articles.get(old, {}), self.articles.get(new, {})
        old_items, new_items = list(a), list(b)
        matcher = SequenceMatcher(a=[_text(a[i]) for i in old_items], b=[_text(b[i]) for i in new_items],
                                  autojunk=False)
        changed, added, removed = [], [], []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "replace":
                pairs = min(i2 - i1, j2 - j1)
                changed += [(old_items[i1 + k], new_items[j1 + k]) for k in range(pairs)]
                removed += old_items[i1 + pairs : i2]
                added += new_items[j1 + pairs : j2]
            elif op == "delete":
                removed += old_items[i1:i2]
            elif op == "insert":
                added += new_items[j1:j2]
        sources: list[tuple[Chunk, int, int]] = []

        def cite(chunks: list[Chunk]) -> str:
            sources.append(self._cite(chunks[0]))
            return f"[{len(sources)}]"

        named_old, named_new = self.library.named(old), self.library.named(new)
        lines = [f"{named_new}与{named_old}相比：修改 {len(changed)} 条，新增 {len(added)} 条，删除 {len(removed)} 条"
                 f"（按条文内容逐条比对）。"]
        if changed:
            lines.append("修改的条文：" + "；".join(f"新版{n}{cite(b[n])}（旧版{o}{cite(a[o])}）"
                                               for o, n in changed[:MAX_LISTED]) + ("等" if len(changed) > MAX_LISTED else ""))
        if added:
            lines.append("新增的条文：" + "；".join(f"{n}{cite(b[n])}" for n in added[:MAX_LISTED])
                         + ("等" if len(added) > MAX_LISTED else ""))
        if removed:
            lines.append("删除的条文（旧版）：" + "；".join(f"{o}{cite(a[o])}" for o in removed[:MAX_LISTED])
                         + ("等" if len(removed) > MAX_LISTED else ""))
        lines.append(f"现行版本为{self.library.named(self.library.versions(new)[-1])}。")
        return FactAnswer("\n".join(lines), sources)

    def _document(self, question: str, hits: Sequence[Hit]) -> str | None:
        """The document the question names by title (with or without its region), else the best hit's."""
        q = normalize(question)
        named = [d for d in self.library.documents if d in self.first and _title_in(self.library.title(d), q)]
        if named:
            return max(named, key=lambda d: (len(self.library.title(d)), self.library.version(d)))
        return next((h.chunk.doc_id for h in hits if h.chunk.doc_id in self.first), None)

    @staticmethod
    def _cite(chunk: Chunk) -> tuple[Chunk, int, int]:
        return chunk, chunk.start, chunk.end


def _text(chunks: list[Chunk]) -> str:
    """An article's wording without its number, so renumbering alone is not a change."""
    return normalize("".join(c.text for c in chunks)).split("条", 1)[-1]


def _title_in(title: str, question: str) -> bool:
    t = normalize(title)
    bare = REGION_PREFIX.sub("", t)
    return bool(t) and (t in question or (len(bare) >= 4 and bare in question))
