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
        found = [w.word for w in jieba.posseg.cut(question) if w.flag == "ns" and len(w.word) >= 2]
    for m in LATIN_NAME.finditer(question):
        if not question[: m.start()].strip() or question[: m.start()].rstrip()[-1] in ".?!":
            continue  # a capital that only opens a sentence ("Taxi drivers …") is no name
        key = re.sub(r"[ -]", "", m.group(1)).lower()
        if len(key) >= 4 and key in _pinyin_index():
            found.append(_pinyin_index()[key])
    return list(dict.fromkeys(found))


def absent_places(question: str, corpus_norm: str) -> list[str]:
    """The places the question names that the corpus never mentions (with or without 省/市/县)."""
    return [p for p in named_places(question)
            if p.lower() not in corpus_norm and SUFFIX.sub("", p).lower() not in corpus_norm]
