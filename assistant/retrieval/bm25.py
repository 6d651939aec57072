"""Lexical search: BM25 over jieba tokens of each chunk's indexed text."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

from assistant.records import Chunk
from assistant.retrieval.tokenization import Tokenizer, domain_terms


def _same(a: str, b: str) -> bool:
    """Equal but for whitespace."""
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


class BM25:
    """BM25 over jieba tokens of each chunk's indexed text (heading path included).

    Example: ``BM25(chunks).search("冷链物流", k=5)  # [(chunk row, score), …]``
    """

    def __init__(self, chunks: Sequence[Chunk]):
        self.tokenizer = Tokenizer(domain_terms(chunks))
        corpus = [self.tokenizer.tokens(c.indexed_text) or ["∅"] for c in chunks]
        self._n = len(corpus)
        # the question's words are weighed by the sentences chunks state, not by those addressed to an AI (kept in
        # the indexed text so that keyword search finds them, but never evidence)
        self._df = Counter(t for c, tokens in zip(chunks, corpus)
                           for t in set(tokens if _same(c.said, c.text) else self.tokenizer.tokens(
                               " ".join((c.title, *c.path, c.said)))))
        self._bm25 = bm25s.BM25()
        if self._n:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query."""
        tokens = [t for t in self.tokenizer.tokens(query) if t in self._bm25.vocab_dict] if self._n else []
        if not tokens:
            return np.zeros(self._n, dtype=np.float32)
        return self._bm25.get_scores(tokens)

    def coverage(self, query: str) -> tuple[int, int]:
        """(content words of the query, how many of them occur anywhere in the corpus)."""
        words = {t for t in self.tokenizer.tokens(query) if len(t) >= 2}
        return len(words), sum(1 for t in words if t in self._bm25.vocab_dict) if self._n else 0

    def weights(self, query: str) -> dict[str, float]:
        """The query's content words (2+ characters) that the corpus uses, each with its inverse document frequency:
        what a clause must share with the question to be about its subject, the rarest words weighing most. A word no
        chunk uses is left out: it may be the user's own wording of what a clause says otherwise (遛狗, 犬只)."""
        return {t: math.log((self._n - self._df[t] + 0.5) / (self._df[t] + 0.5) + 1)
                for t in dict.fromkeys(self.tokenizer.tokens(query)) if len(t) >= 2 and self._df[t]}

    def search(self, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """The k best (chunk row, score) with a positive score, among the `allowed` rows (None: all)."""
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")
        out = [(int(i), float(scores[i])) for i in order if scores[i] > 0 and (allowed is None or i in allowed)]
        return out[:k]


class Titles:
    """BM25 over each document's titles (its own, and those of the attachments it holds): which documents a question
    names. Users name programmes by their notices' titles ("科技企业高质量发展贷款贴息", "第一批雄安工坊"); a clause
    of another notice that only mentions the programme should not come first.

    Example: ``Titles({"d1": ["关于…贷款贴息实施细则"]}, tokenizer).scores("贷款贴息按什么比例？")  # {"d1": <score>}``
    """

    def __init__(self, titles: dict[str, Sequence[str]], tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._docs = list(titles)
        self._bm25 = bm25s.BM25()
        if self._docs:
            self._bm25.index([tokenizer.tokens(" ".join(titles[d])) or ["∅"] for d in self._docs], show_progress=False)

    def scores(self, query: str) -> dict[str, float]:
        """The documents whose titles share words with the query, with their BM25 scores."""
        tokens = [t for t in self.tokenizer.tokens(query) if t in self._bm25.vocab_dict] if self._docs else []
        if not tokens:
            return {}
        scores = self._bm25.get_scores(tokens)
        return {d: float(s) for d, s in zip(self._docs, scores) if s > 0}
