"""Combining rankings (pure functions): reciprocal rank fusion, and the separate asks of one question."""
from __future__ import annotations

from collections.abc import Sequence

from assistant.asks import PART_END
from assistant.retrieval.tokenization import CJK


def question_parts(query: str) -> list[str]:
    """The separate asks of a question ("能带狗坐地铁吗？带了会怎么处理？" → two), each with enough words to
    search on (four Chinese characters or four words); [] or one part means the question is one ask."""
    parts = [p.strip(" ，,、") for p in PART_END.split(query)]
    return [p for p in parts if sum(map(len, CJK.findall(p))) >= 4 or len(p.split()) >= 4]


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: score(d) = Σ w / (k + rank), rank starting at 1."""
    scores: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + w / (k + rank)
    return scores
