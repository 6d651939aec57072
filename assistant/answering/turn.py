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
    context: tuple[Chunk, ...]  # for a follow-up, the clauses of the previous answer it refers to
    found: Retrieval
    t0: float
    bound: bool = False  # the question points at the context ("这些措施…"): answered from those clauses first
    retrieval_ms: float = 0.0
    sources_ms: float = 0.0
    first_token_ms: float | None = None
    notes: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)  # the model's tokens, over every call for this question

    @property
    def hits(self) -> list[Hit]:
        return self.found.hits

    @property
    def asked(self) -> str:
        """The question structured facts are looked up for: a bound follow-up's own words, since its context names
        the clauses (the previous question would bring back its own department: "市教委负责哪些事项，这些事项由谁牵头"),
        else the standalone question."""
        return self.question if self.bound else self.standalone

    @property
    def pins(self) -> list[str]:
        """Years and ordinals the question is about: claims must come from where they are."""
        return pinned(self.standalone)

    def ms(self) -> float:
        return round((time.perf_counter() - self.t0) * 1000, 1)
