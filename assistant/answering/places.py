"""Places a question is about, written in Chinese or in pinyin, recognised from jieba's dictionary (its ``ns``
words) rather than from a hand-made list, so that "在北京…" and "…in Beijing?" are both read as 北京.

Example: ``named_places("What is the fine in Beijing?") == ["北京"]``
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

import jieba
import jieba.posseg

from assistant.ingest.library import Library
from assistant.ingest.metadata import region_named
from assistant.normalize import normalize
from assistant.patterns import PROVINCES
from assistant.records import Chunk

jieba.setLogLevel(logging.WARNING)

SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|省|市|县)$")
LOCATED = re.compile(r"(?:在|到|去|从|赴|来自|位于)([\u4e00-\u9fff]{2,3}(?:市|县))")
OWN = re.compile(r"^(?:本|全|该|各|我|贵|此|其|外|某|市|县|城)")  # 本市, 全县, 某市: no name
LATIN_NAME = re.compile(r"\b([A-Z][a-z]+(?:[ -]?[A-Z][a-z]+)?)\b")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _dictionary_places() -> frozenset[str]:
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as f:
        return frozenset(w for w, *rest in (line.split() for line in f) if rest and rest[-1] == "ns" and len(w) >= 2)


@lru_cache(maxsize=1)
def _pinyin_index() -> dict[str, str]:
    """Pinyin without tones or spaces → the shortest place of that reading (城市 before 城市区)."""
    from pypinyin import lazy_pinyin

    index: dict[str, str] = {}
    for word in sorted(_dictionary_places(), key=lambda w: (len(w), w)):
        if len(word) <= 4:
            index.setdefault("".join(lazy_pinyin(SUFFIX.sub("", word) or word)), SUFFIX.sub("", word) or word)
    return index


def named_places(question: str) -> list[str]:
    """Place names in the question: jieba's place words, and capitalised pinyin words (Beijing → 北京)."""
    with _lock:  # jieba.posseg's tokenizer is shared state
        words = list(jieba.posseg.cut(question))
    guessed = [w.word for w in words if w.flag == "ns" and len(w.word) >= 2]
    # jieba's HMM tags unknown words as places too ("还能新拉电线" → 新拉): keep dictionary places and names
    # with an administrative suffix
    found = [w for w in guessed if w in _dictionary_places() or SUFFIX.search(w)]
    # a city jieba tags as a person ("唐山的企业"): its name with 市 is a dictionary place (唐山市)
    found += [w.word for w in words if w.flag.startswith("nr") and len(w.word) >= 2
              and f"{w.word}市" in _dictionary_places()]
    # a city or county jieba does not know, after a locative: "在保定市竞秀区…"
    found += [m.group(1) for m in LOCATED.finditer(question) if not OWN.match(m.group(1))]
    for m in LATIN_NAME.finditer(question):
        if not question[: m.start()].strip() or question[: m.start()].rstrip()[-1] in ".?!":
            continue  # a capital that only opens a sentence ("Taxi drivers …") is no name
        key = re.sub(r"[ -]", "", m.group(1)).lower()
        if len(key) >= 4 and key in _pinyin_index():
            found.append(_pinyin_index()[key])
    return list(dict.fromkeys(found))


ADMIN = re.compile(r"(?:市|区|县|省|市区|城区|新区|镇|乡|街道|自治区|自治州|特别行政区)?")


@lru_cache(maxsize=1024)
def _longer_places(place: str) -> tuple[str, ...]:
    """Dictionary places that contain the place's name but are other places: 杭州湾 and 杭州路 for 杭州,
    not 杭州市 or 上海浦东新区 for 浦东."""
    return tuple(w for w in _dictionary_places()
                 if place in w and not ADMIN.fullmatch(w[w.index(place) + len(place):]))


def mentions(place: str, corpus_norm: str) -> bool:
    """Whether the text names the place as a place of its own, not only inside a longer one (杭州 in 杭州湾)."""
    place = place.lower()
    count = corpus_norm.count(place)
    if not count:
        return False
    return count > sum(corpus_norm.count(w) * w.count(place) for w in _longer_places(place))


def absent_places(question: str, corpus_norm: str) -> list[str]:
    """The places the question names that the corpus never mentions (with or without 省/市/县)."""
    return [p for p in named_places(question)
            if not mentions(p, corpus_norm) and not mentions(SUFFIX.sub("", p), corpus_norm)]


def governed(place: str, governing: Sequence[str]) -> bool:
    """Whether a region or issuing body of the library names the place (上海 in 上海市人民代表大会常务委员会, 河北 in
    河北雄安新区管理委员会): the documents govern it or a place above it."""
    bare = SUFFIX.sub("", place) or place
    return any(bare in name for name in governing)


# jieba's dictionary tags some common words as places (东西, 台风): a word is read as the place a question is about
# when it carries an administrative suffix, follows a locative (在杭州, 到深圳) or is followed by 的 or a unit (杭州的,
# 北京市区).
LOCATIVE = re.compile(r"(?:在|到|去|从|赴|于|来自|位于)$")
PLACE_AFTER = re.compile(r"^(?:的|市|省|县|区|地区)")


def used_as_place(question: str, place: str) -> bool:
    """Whether the question uses the word as a place (a pinyin name, written in Latin letters, always is, and so is
    a province-level name: 上海, 河北)."""
    if SUFFIX.search(place) or place not in question or place in PROVINCES:
        return True
    return any(LOCATIVE.search(question[: m.start()]) or PLACE_AFTER.match(question[m.end():])
               for m in re.finditer(re.escape(place), question))


def foreign_places(question: str, clauses: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """The places the question is about that none of the clauses about its subject is about: a clause is about a
    place its document governs (`governed` by its region or issuing body) or that it names itself. A question
    about 杭州 is not answered by a Shanghai rule, even where a 长三角 clause elsewhere names 杭州."""
    texts = [(normalize(text), names) for text, names in clauses]
    return [p for p in named_places(question) if used_as_place(question, p)
            and not any(governed(p, names) or mentions(p, text) or mentions(SUFFIX.sub("", p), text)
                       for text, names in texts)]


def governing_names(library: Library, chunks: Sequence[Chunk]) -> dict[str, tuple[str, ...]]:
    """Each document's region (its metadata, else `region_named` from its issuer or title) and issuing body."""
    unnamed = {doc for doc in library.documents if not library.meta(doc).get("region")}
    bodies: dict[str, list[str]] = defaultdict(list)  # read only where the metadata names no region
    for c in chunks:
        if c.doc_id in unnamed:
            bodies[c.doc_id].append(c.text)
    out = {}
    for doc in library.documents:
        meta = library.meta(doc)
        issuer = str(meta.get("issuer", "") or "")
        region = str(meta.get("region", "") or "") or region_named(issuer, library.title(doc), "\n".join(bodies[doc]))
        out[doc] = tuple(n for n in (region, issuer) if n)
    return out
