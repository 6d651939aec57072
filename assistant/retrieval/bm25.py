"""Lexical search: BM25 over jieba tokens of each chunk's indexed text."""
from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from assistant.records import Chunk
from assistant.retrieval.tokenization import Tokenizer, domain_terms


class BM25:
    """BM25 over jieba tokens of each chunk's indexed text (heading path included).

    Example: ``BM25(chunks).search("冷链物流", k=5)  # [(chunk row, score), …]``
    """

    def __init__(self, chunks: Sequence[Chunk]):
        self.tokenizer = Tokenizer(domain_terms(chunks))
        corpus = [self.tokenizer.tokens(c.indexed_text) or ["∅"] for c in chunks]
        self._n = len(corpus)
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

    def search(self, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """The k best (chunk row, score) with a positive score, among the `allowed` rows (None: all)."""
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")
        out = [(int(i), float(scores[i])) for i in order if scores[i] > 0 and (allowed is None or i in allowed)]
        return out[:k]
