"""Follow-up questions ("那责任部门呢？") made standalone with the previous question of the conversation."""
from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.normalize import normalize
from assistant.records import Answer, Chunk

FOLLOWUP = re.compile(r"^(?:那|那么|还有|另外|此外|这个|这项|这条|该项|它|其|上述)|呢\s*[？?]?\s*$|^(?:and|what about|how about)\b", re.I)


def rewrite_followup(question: str, history: Sequence[Answer]) -> tuple[str, Chunk | None]:
    """A follow-up ("那责任部门呢？") becomes standalone with the previous question; returns the context clause too."""
    if not history:
        return question, None
    q = question.strip()
    if not (FOLLOWUP.search(q) or len(normalize(q)) <= 6):
        return question, None
    prev = history[-1]
    topic = (prev.standalone_question or prev.question).rstrip("？?。！! ")
    rest = re.sub(r"^(?:那么|那|还有|另外|此外)", "", q)
    context = prev.citations[0].chunk if prev.citations else None
    return f"{topic}，{rest}", context
