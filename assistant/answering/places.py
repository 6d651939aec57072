"""Places a question is about, written in Chinese or in pinyin, recognised from jieba's dictionary (its ``ns``
words) rather than from a hand-made list, so that "在北京…" and "…in Beijing?" are both read as 北京.

Example: ``named_places("What is the fine in Beijing?") == ["北京"]``
"""
from __future__ import annotations

import logging
import os
import re
import threading
from functools import lru_cache

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)

SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|省|市|县)$")
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
        guessed = [w.word for w in jieba.posseg.cut(question) if w.flag == "ns" and len(w.word) >= 2]
    # jieba's HMM tags unknown words as places too ("还能新拉电线" → 新拉): keep dictionary places and names
    # with an administrative suffix
    found = [w for w in guessed if w in _dictionary_places() or SUFFIX.search(w)]
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
