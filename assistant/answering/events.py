"""What `Assistant.stream` yields, in order: Sources (before any token), Token pieces, then Done."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.records import Answer, Citation


@dataclass
class Sources:
    """Emitted before generation starts: what the answer will be based on."""

    citations: list[Citation]
    standalone_question: str
    retrieval_ms: float
    notice: str = ""  # the answer will rest on a document not in force: shown first, above the answer


@dataclass
class Token:
    """A piece of the answer's text, as it is written."""

    text: str


@dataclass
class Done:
    """The final, checked answer."""

    answer: Answer


Event = Sources | Token | Done
