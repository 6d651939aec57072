"""Chinese word segmentation for BM25: jieba plus a user dictionary built from the corpus itself."""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jieba

from assistant.patterns import bare_heading
from assistant.records import Chunk

jieba.setLogLevel(logging.WARNING)

# Question and function words that carry no topic; kept short on purpose.
STOPWORDS = frozenset(
    "的 了 和 与 及 等 是 有 在 对 为 由 把 被 从 向 以 于 或 并 也 都 就 又 而 之 其 这 那 个 各 些 "
    "哪些 哪个 哪 什么 怎么 怎样 如何 吗 呢 吧 啊 请问 请 一下 可以 能 能否 是否 我 我们 你 你们 "
    "他们 它 要 会 想 需要 关于 方面 相关 内容 问题 有关 一些 什么样 多少 几 谁 the a an of to in "
    "and or is are what which who how does do for on by with".split()
)
TOKEN = re.compile(r"[\w+]+")
CJK = re.compile(r"[\u4e00-\u9fff]+")
QUOTED = re.compile(r"[“\"]\s*([^”\"]{2,12}?)\s*[”\"]")
LISTED = re.compile(r"(?<=[、，,：:])([\u4e00-\u9fff]{2,6})(?=[、等])|([\u4e00-\u9fff]{2,6})(?=、)")


@lru_cache(maxsize=512)
def word_ends(text: str) -> frozenset[int]:
    """The offsets in `text` at which jieba ends a word (for showing whole words around a change)."""
    return frozenset(end for _, _, end in jieba.tokenize(text))


def domain_terms(chunks: Iterable[Chunk]) -> set[str]:
    """Policy terms worth keeping whole: departments, quoted names, enumerated terms, heading titles."""
    terms: set[str] = set()
    for c in chunks:
        terms.update(c.departments)
        terms.update(m.group(1).strip() for m in QUOTED.finditer(c.text))
        terms.update(a or b for a, b in LISTED.findall(c.text))
        for part in c.path:
            title = bare_heading(part)
            if 2 <= len(title) <= 12:
                terms.add(title)
    return {t for t in terms if len(t) >= 2}


class Tokenizer:
    """Segments text into lower-cased, NFKC-normalised search terms.

    Example: ``Tokenizer({"市经济信息化委"}).tokens("市经济信息化委负责哪些事项")``
    """

    def __init__(self, user_words: Iterable[str] = ()):
        self._jieba = jieba.Tokenizer()
        self._words = sorted(set(user_words))
        self._ready = False
        self._lock = threading.Lock()

    def _init(self):
        with self._lock:
            if not self._ready:
                self._jieba.initialize()
                for w in self._words:
                    self._jieba.add_word(unicodedata.normalize("NFKC", w).lower(), freq=20000)
                self._ready = True

    def tokens(self, text: str) -> list[str]:
        if not self._ready:
            self._init()
        text = unicodedata.normalize("NFKC", text).lower()
        out: list[str] = []
        for t in self._jieba.cut_for_search(text):
            if not TOKEN.fullmatch(t) or t in STOPWORDS:
                continue
            out.append(t)
            if len(t) > 2 and CJK.fullmatch(t):
                # Character bigrams inside long words, so 冷链 still matches the whole term 生鲜冷链.
                out.extend(t[i : i + 2] for i in range(len(t) - 1))
        return out
