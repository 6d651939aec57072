"""Questions about versions and validity, answered from the library's metadata and the texts themselves.

"现在还有效吗" / "哪个版本现行" → the status of each version; "新旧版本有什么变化" / "2024年修改了哪些内容" /
"关于政务服务改了什么" → the articles changed, added and removed (aligned by content: an inserted article
renumbers the rest), with the old and new wording, each cited to both versions (`changes`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.changes import Side, change_answer
from assistant.answering.facts import FactAnswer
from assistant.asks import ABOUT_A_DOCUMENT, ASK_CHANGES, ASK_REVISED, ASK_STATUS, CHANGE_WORDS, TOPIC_FILLER, YEAR
from assistant.ingest.library import Library
from assistant.ingest.revisions import KEPT, Article, Revision, align, articles
from assistant.normalize import normalize
from assistant.records import Chunk, Hit
from assistant.retrieval.tokenization import Tokenizer

# The region that opens a title ("江苏省…条例"), its name without 省/市 in the group: questions drop either.
REGION_PREFIX = re.compile(r"^(?:([\u4e00-\u9fff]{2,6}?)(?:省|自治区|市))")
# What a title says that people leave out: book-title marks and the state's name in a cited law
# (上海市实施《中华人民共和国义务教育法》办法 → 上海市实施义务教育法办法).
SPOKEN = re.compile(r"[《》〈〉]|中华人民共和国")
MIN_NAMED = 5  # characters of a title's end that name it ("营商环境条例" for 上海市优化营商环境条例)
TOPIC_SHARE = 0.75  # of a topic's words an article (its chapter, old or new wording) must contain to be about it


class Versions:
    """Answers version and validity questions over one index's chunks and library."""

    def __init__(self, chunks: Sequence[Chunk], library: Library):
        self.library = library
        by_doc: dict[str, list[Chunk]] = {}
        for c in chunks:
            by_doc.setdefault(c.doc_id, []).append(c)
        self.articles: dict[str, list[Article]] = {d: articles(cs) for d, cs in by_doc.items()}
        self.first: dict[str, Chunk] = {d: min(cs, key=lambda c: c.start) for d, cs in by_doc.items()}
        self._tokenizer: Tokenizer | None = None

    def answer(self, question: str, hits: Sequence[Hit]) -> FactAnswer | None:
        """A metadata answer when the question asks about validity, versions or changes, else None."""
        changes, status = ASK_CHANGES.search(question), ASK_STATUS.search(question)
        if not (changes or status) or not (ABOUT_A_DOCUMENT.search(question) or ASK_REVISED.search(question)):
            return None  # "证件过期了怎么办" asks about a licence, not about a document's validity
        doc_id, named = self._document(question, hits, several=bool(changes))
        if doc_id is None:
            return None
        versions = self.library.versions(doc_id)
        if changes and len(versions) > 1:
            old, new, missing = _compared(versions, [self.library.year(v) for v in versions], question)
            answer = self.changes(old, new, self._topic(question, doc_id, named))
            if answer is not None:
                if missing:
                    answer.text = f"知识库中没有{missing}年的版本，以下为现有版本的比较。\n" + answer.text
                return answer
        return self.status(versions) if status else None

    def _topic(self, question: str, doc_id: str, named: str) -> str:
        """What a change question asks about besides the document ("关于政务服务改了什么" → 政务服务); "" for none."""
        title = normalize(self.library.title(doc_id))
        region = REGION_PREFIX.match(title)
        rest = normalize(question)
        # the title, then without its region ("XX条例"), the part the question named, the region however written
        names = (title, title[region.end():], named, region.group(0), region.group(1)) if region else (title, named)
        for name in filter(None, names):
            rest = rest.replace(name, "")
        rest = re.sub(r"(?:19|20)\d{2}年?(?:版|版本)?", "", CHANGE_WORDS.sub("", rest))
        rest = TOPIC_FILLER.sub("", rest)
        return rest if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 2 else ""

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

    def revisions(self, old: str, new: str) -> list[Revision]:
        """The articles of two versions aligned by content."""
        return align(self.articles.get(old, []), self.articles.get(new, []))

    def changes(self, old: str, new: str, topic: str = "") -> FactAnswer | None:
        """The changes from `old` to `new`, those about `topic` when one is named; None when no changed article
        is about it (the clauses of both versions then answer)."""
        revisions, words = self.revisions(old, new), frozenset()
        if topic:
            words = frozenset(w for w in self._words(topic) if len(w) > 1)
            share = {id(r): _share(words, self._words(_about(r))) for r in revisions if r.kind != KEPT}
            best = max(share.values(), default=0.0)
            if best < TOPIC_SHARE:
                return None
            revisions = [r for r in revisions if share.get(id(r), 0.0) >= best]  # those most about it
        side = lambda d: Side(self.library.named(d), self.library.status(d).label)  # noqa: E731
        answer = change_answer(revisions, side(old), side(new), topic, words)
        answer.text += f"\n现行版本为{self.library.named(self.library.versions(new)[-1])}。"
        return answer

    def _words(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer()
        return self._tokenizer.tokens(text)

    def _document(self, question: str, hits: Sequence[Hit], several: bool = False) -> tuple[str | None, str]:
        """The document the question names by title (with or without its region, or the end of its title:
        "营商环境条例"), and the words that named it; else the best hit's (with `several`, the best hit's
        that has several versions)."""
        q = normalize(question)
        named = {d: _named_by(self.library.title(d), q) for d in self.library.documents if d in self.first}
        named = {d: n for d, n in named.items() if n}
        if named:
            best = max(named, key=lambda d: (len(named[d]), len(self.library.title(d)), self.library.version(d)))
            return best, named[best]
        docs = [h.chunk.doc_id for h in hits if h.chunk.doc_id in self.first]
        if several:  # a change question is about a document with versions: the only one, if the library has one
            many = [d for d in self.first if len(self.library.versions(d)) > 1]
            docs = [d for d in docs if d in many] or (many if len({self.library.versions(d)[-1] for d in many}) == 1 else docs)
        return (docs[0] if docs else None), ""

    @staticmethod
    def _cite(chunk: Chunk) -> tuple[Chunk, int, int]:
        return chunk, chunk.start, chunk.end


def _compared(versions: list[str], years: list[str], question: str) -> tuple[str, str, str]:
    """The two versions a change question compares: the years it names ("2024年修改" → that version and the one
    before; "2020年版和2024年版" → those two), else the last two; and a named year no version has."""
    asked = list(dict.fromkeys(YEAR.findall(question)))
    at = sorted({years.index(y) for y in asked if y in years})
    missing = next((y for y in asked if y not in years), "")
    if len(at) >= 2:
        return versions[at[0]], versions[at[-1]], missing
    if at:
        k = at[0]
        return (versions[k], versions[-1], missing) if k == 0 else (versions[k - 1], versions[k], missing)
    return versions[-2], versions[-1], missing


def _about(r: Revision) -> str:
    """What a revision is about: its chapter and both wordings."""
    return "\n".join(x for a in (r.old, r.new) if a for x in (a.chapter, a.body))


def _share(words: frozenset[str], text_words: list[str]) -> float:
    return len(words & set(text_words)) / len(words) if words else 0.0


def _named_by(title: str, question: str) -> str:
    """The words of the question that name the title: all of it, without its region, or its last MIN_NAMED or
    more characters ("营商环境条例"); "" when it is not named."""
    t = normalize(title)
    if t and t in question:
        return t
    for bare in dict.fromkeys(REGION_PREFIX.sub("", x) for x in (t, SPOKEN.sub("", t))):  # 实施义务教育法办法
        if len(bare) >= 4 and bare in question:
            return bare
        for n in range(len(bare) - 1, MIN_NAMED - 1, -1):
            if bare[-n:] in question:
                return bare[-n:]
    return ""
