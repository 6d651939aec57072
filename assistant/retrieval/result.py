"""What one search hands to the stages after it: the hits and what is known about them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.ingest.library import Library
from assistant.records import Hit


@dataclass(frozen=True)
class Retrieval:
    """The outcome of `Retriever.retrieve`: everything answering reads after the search, so that it depends on
    this record and not on the retriever's indexes.

    Example::

        found = retriever.retrieve("生鲜电商有哪些支持措施？", k=5)
        found.hits[0].chunk.label, found.sentence_scores[0].argmax()  # the best clause and its best sentence
    """

    query: str  # the question searched
    also: tuple[str, ...]  # other wordings of it searched with it (its Chinese translation)
    hits: list[Hit]  # best first, the clauses stating the kind of fact asked lifted
    subject: list[Hit]  # the same search ranked by the question's subject alone (refusal judges coverage on it)
    coverage: tuple[int, int]  # (content words of the question, how many of them occur in the corpus)
    sentence_scores: list[np.ndarray]  # per hit: similarity of each sentence unit to the Chinese wording
    matches_any: bool  # whether any clause passes the filters (False: the hits are empty by design)
    library: Library  # the documents' metadata and status
    weights: dict[str, float] = field(default_factory=dict)  # the question's words the corpus uses → their IDF

    @property
    def wording(self) -> str:
        """The wording sentences were scored against: the Chinese one when the question was translated."""
        return self.also[0] if self.also else self.query
