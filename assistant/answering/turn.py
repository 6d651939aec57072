"""One question on its way through `Assistant.stream`: what was retrieved for it, and when each stage ended."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from assistant.answering.refusal import pinned
from assistant.records import Chunk, Hit, Usage
from assistant.retrieval.result import Retrieval


@dataclass
class Turn:
    """The question as asked and as searched (follow-ups rewritten), the search's outcome, the notes the
    answer collects on the way, and the timings."""

    question: str
    standalone: str
    context: Chunk | None  # the clause the previous answer cited first, for a follow-up
    found: Retrieval
    t0: float
    retrieval_ms: float = 0.0
    sources_ms: float = 0.0
    first_token_ms: float | None = None
    notes: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)  # the model's tokens, over every call for this question

    @property
    def hits(self) -> list[Hit]:
        return self.found.hits

    @property
    def pins(self) -> list[str]:
        """Years and ordinals the question is about: claims must come from where they are."""
        return pinned(self.standalone)

    def ms(self) -> float:
        return round((time.perf_counter() - self.t0) * 1000, 1)
