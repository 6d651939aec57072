"""How the articles of two versions of one regulation correspond, and which words changed.

Articles are aligned by content, not by number (an inserted article renumbers every one after it): identical
wording first, then the most similar wording above `THRESHOLD`, order-preserving where the two orders agree
(a weighted longest common subsequence), then the pairs left out of that order (an article moved). Every
article of the old version ends up 未改, 修改 or 删除, every article of the new version 未改, 修改 or 新增;
`renumbered` says a kept or changed article carries another number.

Example::

    for r in align(articles(old_chunks), articles(new_chunks)):
        print(r.kind, r.old and r.old.number, r.new and r.new.number)
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.normalize import normalize_with_offsets
from assistant.records import Chunk

KEPT, CHANGED, ADDED, REMOVED = "未改", "修改", "新增", "删除"
# The similarity (Dice coefficient of character bigrams) above which two articles are one article revised:
# chosen on the 14 regulations of the library with two versions (docs: leave-one-regulation-out agreement).
THRESHOLD = 0.3
NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千\d]+条(?:【[^】]{1,20}】)?")
MERGE_GAP = 3  # an unchanged run shorter than this between two edits joins them ("市场主体" vs "经营主体")


@dataclass(frozen=True)
class Article:
    """One article (第X条) of a version: its number and its chunks, in order."""

    number: str
    chunks: tuple[Chunk, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(c.text for c in self.chunks)

    @property
    def body(self) -> str:
        """The wording without the article's number, so that renumbering alone is no change."""
        text = self.text
        m = NUMBER.match(text)
        return text[m.end():].lstrip() if m else text

    @property
    def chapter(self) -> str:
        """The headings above the article ("第三章 政务服务"), "" for a regulation without chapters."""
        return " > ".join(self.chunks[0].path[:-1])


@dataclass(frozen=True)
class Revision:
    """What became of one article: `old` and/or `new` (None when added or removed), their similarity."""

    old: Article | None
    new: Article | None
    similarity: float = 0.0

    @property
    def kind(self) -> str:
        if self.old is None:
            return ADDED
        if self.new is None:
            return REMOVED
        return KEPT if _norm(self.old.body) == _norm(self.new.body) else CHANGED

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.number != self.new.number


@dataclass(frozen=True)
class Edit:
    """One change inside an article: `deleted` words of the old body replaced by `inserted` words of the new
    (either may be ""), with their spans in each body."""

    deleted: str
    inserted: str
    old_span: tuple[int, int]
    new_span: tuple[int, int]


def articles(chunks: Iterable[Chunk]) -> list[Article]:
    """The articles of one document's chunks (those with an item number), in document order; an item number
    that starts again in each section (a plan's "1.") is a new article under each heading."""
    by_place: dict[tuple, list[Chunk]] = {}
    for c in sorted(chunks, key=lambda c: c.start):
        if c.item:
            by_place.setdefault((c.path, c.item), []).append(c)
    return [Article(item, tuple(cs)) for (_, item), cs in by_place.items()]


def _norm(text: str) -> str:
    return normalize_with_offsets(text)[0]


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a normalised text (the text itself when shorter than two characters)."""
    t = _norm(text)
    return frozenset(t[i : i + 2] for i in range(len(t) - 1)) or frozenset([t])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets: 1 for the same wording, 0 for nothing shared."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def align(old: Sequence[Article], new: Sequence[Article], threshold: float = THRESHOLD) -> list[Revision]:
    """Each article of both versions once: pairs in the new version's order, removed ones where they stood."""
    grams_a, grams_b = [bigrams(a.body) for a in old], [bigrams(b.body) for b in new]
    sim = [[similarity(x, y) for y in grams_b] for x in grams_a]
    pairs = _in_order(sim, threshold)
    left_a = [i for i in range(len(old)) if i not in pairs]
    left_b = set(range(len(new))) - set(pairs.values())
    moved = sorted(((sim[i][j], i, j) for i in left_a for j in left_b if sim[i][j] >= threshold), reverse=True)
    for s, i, j in moved:  # out of order: moved elsewhere in the new version
        if i not in pairs and j in left_b:
            pairs[i] = j
            left_b.discard(j)
    return _ordered(old, new, pairs, sim)


def _in_order(sim: list[list[float]], threshold: float) -> dict[int, int]:
    """The order-preserving pairs of greatest total similarity (each above the threshold): old → new index."""
    n, m = len(sim), len(sim[0]) if sim else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + below[j + 1] if sim[i][j] >= threshold else -1.0
            row[j] = max(take, below[j], row[j + 1])
    pairs, i, j = {}, 0, 0
    while i < n and j < m:
        if sim[i][j] >= threshold and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _ordered(old: Sequence[Article], new: Sequence[Article], pairs: dict[int, int], sim) -> list[Revision]:
    """The revisions in the new version's order; a removed article follows the one it followed before."""
    of_new = {j: i for i, j in pairs.items()}
    out: list[Revision] = []
    removed = [i for i in range(len(old)) if i not in pairs]
    for j, b in enumerate(new):
        i = of_new.get(j)
        while removed and i is not None and removed[0] < i:
            out.append(Revision(old[removed.pop(0)], None))
        out.append(Revision(old[i], b, sim[i][j]) if i is not None else Revision(None, b))
    out += [Revision(old[i], None) for i in removed]
    return out


def edits(old: str, new: str) -> list[Edit]:
    """The words deleted and inserted from `old` to `new` (compared normalised: full-width and half-width
    punctuation, spaces and line breaks are no change), as spans of the texts as written."""
    a, ia = normalize_with_offsets(old)
    b, ib = normalize_with_offsets(new)
    ops = [op for op in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    merged: list[list[int]] = []
    for _, i1, i2, j1, j2 in ops:
        if merged and i1 - merged[-1][1] < MERGE_GAP and j1 - merged[-1][3] < MERGE_GAP:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])
    out = []
    for i1, i2, j1, j2 in merged:
        os_, oe = (ia[i1], ia[i2 - 1] + 1) if i2 > i1 else ((ia[i1] if i1 < len(ia) else len(old)),) * 2
        ns, ne = (ib[j1], ib[j2 - 1] + 1) if j2 > j1 else ((ib[j1] if j1 < len(ib) else len(new)),) * 2
        out.append(Edit(old[os_:oe], new[ns:ne], (os_, oe), (ns, ne)))
    return out
