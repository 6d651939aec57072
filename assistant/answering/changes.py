""""What changed between two versions": the articles added, removed and revised, with the old and the new
wording and the changed words marked 〔删：…〕〔增：…〕, each cited to the clause of both versions.

The revisions come from `assistant.ingest.revisions` (articles aligned by content); this module chooses which
to list (the largest of each kind, at most `MAX_LISTED`, the rest counted) and writes them.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answering.facts import FactAnswer
from assistant.ingest.chunking import sentences
from assistant.ingest.revisions import ADDED, CHANGED, KEPT, REMOVED, Article, Edit, Revision, edits
from assistant.normalize import canonical_numbers
from assistant.records import Chunk
from assistant.retrieval.tokenization import word_ends

MAX_LISTED = 8  # revisions written out; the others are counted
MAX_WORDING = 120  # characters of an old or new wording shown
MAX_MARKS = 3  # marked changes shown per article
REWRITTEN = 0.6  # share of an article's new wording inserted above which it reads as rewritten, not marked
CONTEXT = 6  # unchanged characters shown either side of a marked change
TERM_ARTICLES = 3  # a replacement made in this many articles is a change of terms, said once
MAX_TERM = 12  # characters of a term
SPACE = re.compile(r"\s+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Side:
    """How one version is named in the answer: 《title》(version) and its status label."""

    name: str
    status: str


def change_answer(revisions: Sequence[Revision], old: Side, new: Side, topic: str = "",
                  words: frozenset[str] = frozenset()) -> FactAnswer:
    """The changes from `old` to `new`, about `topic` (its `words`) when one is given ("" = every article)."""
    count = Counter(r.kind for r in revisions)
    renumbered = sum(r.renumbered and r.kind == KEPT for r in revisions)
    about = f"关于“{topic}”的条文，" if topic else ""
    head = (f"{new.name}（{new.status}）与{old.name}（{old.status}）相比，{about}按条文内容逐条比对："
            f"修改 {count[CHANGED]} 条，新增 {count[ADDED]} 条，删除 {count[REMOVED]} 条")
    head += f"；另有 {renumbered} 条内容未变、仅条文序号变动。" if renumbered else "。"
    diffs = {id(r): edits(r.old.body, r.new.body) for r in revisions if r.kind == CHANGED}
    terms = _terms(revisions, diffs)
    lines, sources = [head], []

    def cite(article: Article, span: tuple[int, int]) -> str:
        source = _quote(article, span)
        if source not in sources:
            sources.append(source)
        return f"[{sources.index(source) + 1}]"

    if terms:
        lines.append("用语调整：多处" + "；".join(
            f"{said}（{n} 条，如{r.new.number}{cite(r.new, _sentence(r.new.body, e.new_span))}"
            f"{cite(r.old, _sentence(r.old.body, e.old_span))}）" for said, n, r, e in terms.values()) + "。")
    only_terms = {id(r) for r in revisions if r.kind == CHANGED and all(_core(e) in terms for e in diffs[id(r)])}
    listed = _chosen([r for r in revisions if r.kind != KEPT and id(r) not in only_terms], diffs)
    if terms and not listed:
        lines.append("各条的修改均为上述用语调整。")
    if listed:
        lines.append("主要变动（〔删：…〕为删去的文字，〔增：…〕为增加的文字）：")
    for n, r in enumerate(listed, start=1):
        lines += _entry(n, r, diffs.get(id(r), []), terms, cite, words)
    shown = {id(r) for r in listed}
    rest = Counter(r.kind for r in revisions if r.kind != KEPT and id(r) not in only_terms and id(r) not in shown)
    if rest:
        lines.append("另有 " + "、".join(f"{rest[k]} 处{k}" for k in (CHANGED, ADDED, REMOVED) if rest[k])
                     + "未列出" + ("，可问“关于……改了什么”查看某一方面的变动" if not topic else "") + "。")
    return FactAnswer("\n".join(lines), sources)


def _chosen(revisions: list[Revision], diffs: dict[int, list[Edit]]) -> list[Revision]:
    """The largest revisions of each kind in turn, up to MAX_LISTED, in the order of the articles."""
    def size(r: Revision) -> int:
        if r.kind == CHANGED:
            return sum(len(e.deleted) + len(e.inserted) for e in diffs[id(r)])
        return len((r.new or r.old).body)
    queues = [sorted((r for r in revisions if r.kind == k), key=size, reverse=True) for k in (CHANGED, ADDED, REMOVED)]
    picked: list[Revision] = []
    while len(picked) < MAX_LISTED and any(queues):
        for q in queues:
            if q and len(picked) < MAX_LISTED:
                picked.append(q.pop(0))
    ids = {id(r) for r in picked}
    return [r for r in revisions if id(r) in ids]


def _entry(n: int, r: Revision, diff: list[Edit], terms: dict, cite: Callable, words: frozenset[str]) -> list[str]:
    if r.kind == ADDED:
        return [f"{n}. 新增 {r.new.number}{cite(r.new, (0, len(r.new.body)))}：{_short(r.new.body)}"]
    if r.kind == REMOVED:
        return [f"{n}. 删除 原{r.old.number}{cite(r.old, (0, len(r.old.body)))}：{_short(r.old.body)}"]
    shown = [e for e in diff if _core(e) not in terms] or diff
    # a changed number first (in a sentence about the topic, if one is asked), then the changes in sentences
    # most about the topic, replacements before bare insertions or deletions, larger first
    old_of = lambda e: r.old.body[slice(*_sentence(r.old.body, e.old_span))]  # noqa: E731
    new_of = lambda e: r.new.body[slice(*_sentence(r.new.body, e.new_span))]  # noqa: E731
    shown.sort(key=lambda e: (not (_numbers(old_of(e)) != _numbers(new_of(e)) and (not words or _about(new_of(e), words))),
                              -_about(new_of(e), words), -_about(e.deleted + e.inserted, words),
                              not (e.deleted.strip() and e.inserted.strip()), -len(e.deleted) - len(e.inserted)))
    first = shown[0]
    old_at, new_at = _sentence(r.old.body, first.old_span), _sentence(r.new.body, first.new_span)
    was = f"（原{r.old.number}）" if r.renumbered else ""
    rewritten = sum(len(e.inserted) for e in diff) > REWRITTEN * len(r.new.body)
    marks = "　".join(f"…{_mark(e, r)}…" for e in shown[:MAX_MARKS]) + (
        f"（共 {len(shown)} 处）" if len(shown) > MAX_MARKS else "")
    return [f"{n}. 修改 {r.new.number}{was}{cite(r.new, new_at)}{cite(r.old, old_at)}",
            f"原：{_window(r.old.body, old_at, first.old_span)}",
            f"现：{_window(r.new.body, new_at, first.new_span)}",
            "改动：" + ("条文大部分改写，" if rewritten else "") + marks]


def _numbers(text: str) -> set[str]:
    """The numbers a text states, however written ("百分之二点五" and "2.5%" alike)."""
    return set(NUMBER.findall(canonical_numbers(text)))


def _about(text: str, words: frozenset[str]) -> int:
    """How many of the topic's words the text contains."""
    return sum(w in text for w in words)


def _sentence(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The sentences of `text` that `span` touches."""
    touched = [(s, e) for s, e in sentences(text) if s <= span[1] and e >= span[0]]
    return (touched[0][0], touched[-1][1]) if touched else (0, len(text))


def _window(text: str, sentence: tuple[int, int], span: tuple[int, int]) -> str:
    """The sentence, cut to MAX_WORDING characters around the change when longer."""
    s, e = sentence
    if e - s <= MAX_WORDING:
        return _flat_spaces(text[s:e])
    start = max(s, min(span[0] - MAX_WORDING // 3, e - MAX_WORDING))
    end = min(e, start + MAX_WORDING)
    return ("……" if start > s else "") + _flat_spaces(text[start:end]) + ("……" if end < e else "")


def _mark(e: Edit, r: Revision) -> str:
    """One change with a few unchanged characters either side: "…占本市生产总值的百分之〔删：二点五〕〔增：四〕以上…"."""
    body = r.new.body
    before = _flat(body[max(0, e.new_span[0] - CONTEXT) : e.new_span[0]])
    after = _flat(body[e.new_span[1] : e.new_span[1] + CONTEXT])
    deleted = f"〔删：{_short(e.deleted, 30)}〕" if e.deleted.strip() else ""
    inserted = f"〔增：{_short(e.inserted, 30)}〕" if e.inserted.strip() else ""
    return f"{before}{deleted}{inserted}{after}"


def _terms(revisions: Sequence[Revision], diffs: dict[int, list[Edit]]) -> dict[tuple[str, str], tuple]:
    """Short replacements made in several articles ("市场主体" → "企业等经营主体"), each said once: the edit →
    how the answer states it (its commonest whole-word form), the number of articles and its first place."""
    seen: Counter = Counter()
    forms: dict[tuple[str, str], Counter] = {}
    first: dict[tuple[str, str], tuple[Revision, Edit]] = {}
    for r in revisions:
        found = {(_core(e), _term(e, r)): e for e in diffs.get(id(r), []) if _core(e)}
        seen.update(list(dict.fromkeys(core for core, _ in found)))  # in the text's order: ties keep it, run after run
        for (core, form), e in found.items():
            forms.setdefault(core, Counter())[form] += 1
            first.setdefault(core, (r, e))
    return {core: (_say(forms[core].most_common(1)[0][0]), n, *first[core]) for core, n in seen.most_common()
            if n >= TERM_ARTICLES}


def _core(e: Edit) -> tuple[str, str] | None:
    """A short edit as its deleted and inserted words; None for a long one."""
    old, new = _flat(e.deleted), _flat(e.inserted)
    return (old, new) if len(old) <= MAX_TERM and len(new) <= MAX_TERM and (old or new) else None


def _term(e: Edit, r: Revision) -> tuple[str, str]:
    """A short edit as whole words: a replacement with the unchanged characters that end its word ("相" → "有",
    then 关) or, at a word's end, the short word that follows ("市场" → "企业等经营", then 主体)."""
    old, new = _flat(e.deleted), _flat(e.inserted)
    follow = ""
    if old and new:
        body, at = r.old.body, e.old_span[1]
        ends = [x for x in sorted(word_ends(body)) if x >= at]
        if ends and ends[0] == at:
            ends = ends[1:] if len(ends) > 1 and ends[1] - at <= 2 else []
        follow = body[at : ends[0]] if ends else ""
        follow = follow if re.fullmatch(r"[\u4e00-\u9fff]*", follow) else ""
    return (old + follow if old else ""), (new + follow if new else "")


def _say(term: tuple[str, str]) -> str:
    old, new = term
    return f"将“{old}”改为“{new}”" if old and new else f"删去“{old}”" if old else f"增加“{new}”"


def _quote(article: Article, span: tuple[int, int]) -> tuple[Chunk, int, int]:
    """The chunk of the article that holds the start of `span` (offsets in its body), quoted from there to the
    end of the span or of the chunk, in document offsets."""
    at = len(article.text) - len(article.body)
    start, end = span[0] + at, span[1] + at
    for chunk in article.chunks:
        if start < len(chunk.text) or chunk is article.chunks[-1]:
            s = min(max(start, 0), len(chunk.text))
            e = max(s + 1, min(end, len(chunk.text)))
            return chunk, chunk.start + s, chunk.start + e
        start, end = start - len(chunk.text) - 2, end - len(chunk.text) - 2  # "\n\n" between the chunks
    raise ValueError(f"{article.number} has no chunks")


def _flat(text: str) -> str:
    return SPACE.sub("", text)


def _flat_spaces(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def _short(text: str, limit: int = MAX_WORDING) -> str:
    text = _flat_spaces(text)
    return text if len(text) <= limit else text[: limit - 1] + "……"
