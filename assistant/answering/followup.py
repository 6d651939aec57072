"""Follow-up questions made standalone with the previous turn of the conversation.

"那责任部门呢？" continues the previous question; "这些措施由哪些部门负责？" points back with a demonstrative
(这些/该/上述/其/它们 …) at what the previous answer cited, so it is bound to those clauses: retrieval and the
structured facts answer from them first.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.asks import ANAPHOR, FOLLOWUP, SINGULAR
from assistant.normalize import normalize
from assistant.patterns import SENTENCE_ENDS
from assistant.records import Answer, Chunk
from assistant.retrieval.filters import Filters
from assistant.retrieval.result import Retrieval
from assistant.retrieval.retrieve import Retriever

SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")


def anaphor(question: str) -> str:
    """The demonstrative by which the question points back at the previous answer (这些措施, 上述规定, 该项 …) in its
    first sentence, or "": in "在线教育有哪些措施？其中哪些由市教委负责？" 其中 points inside the question itself."""
    m = ANAPHOR.search(SENTENCE_END.split(question.strip(), maxsplit=1)[0])
    return m.group() if m else ""


def anaphoric(question: str) -> bool:
    """Whether the question points back at the previous answer with a demonstrative."""
    return bool(anaphor(question))


def is_followup(question: str) -> bool:
    """Whether the question continues the previous turn (and so needs it to be understood)."""
    q = question.strip()
    return bool(FOLLOWUP.search(q) or len(normalize(q)) <= 6 or anaphoric(q))


def cited_clauses(answer: Answer) -> tuple[Chunk, ...]:
    """The clauses an answer cited, in citation order, each once."""
    return tuple({c.chunk.id: c.chunk for c in sorted(answer.citations, key=lambda c: c.n)}.values())


def rewrite_followup(question: str, history: Sequence[Answer]) -> tuple[str, tuple[Chunk, ...]]:
    """A follow-up becomes standalone with the previous question; returns the context clauses too: every clause
    the previous answer cited when the question points at them ("这些措施…"), in citation order; its first clause when
    it points at one thing ("该项…") or is another follow-up ("那责任部门呢？"); none for a question that stands alone."""
    if not history or not is_followup(question):
        return question, ()
    q = question.strip()
    prev = history[-1]
    topic = (prev.standalone_question or prev.question).rstrip("？?。！! ")
    rest = re.sub(r"^(?:那么|那|还有|另外|此外)", "", q)
    cited = cited_clauses(prev)
    pointer = anaphor(q)
    return f"{topic}，{rest}", cited if pointer and not SINGULAR.match(pointer) else cited[:1]


def bound_first(retriever: Retriever, found: Retrieval, clauses: Sequence[Chunk], k: int, filters: Filters = Filters()
                ) -> Retrieval:
    """The search `found` with the best pieces of the given clauses (every piece of a long item counts) first,
    searched for the same question within those clauses alone; then the other hits, k in all."""
    keys = {(c.doc_id, c.path, c.item) for c in clauses}
    ids = frozenset(c.id for c in retriever.chunks if (c.doc_id, c.path, c.item) in keys)
    own = retriever.retrieve(found.query, k, replace(filters, clauses=ids), found.also)
    if not own.hits:  # the clauses are outside the filters
        return found
    first, firsts = {h.chunk.id for h in own.hits}, {h.chunk.id for h in own.subject}
    rest = [(h, s) for h, s in zip(found.hits, found.sentence_scores) if h.chunk.id not in first]
    return replace(found, hits=(own.hits + [h for h, _ in rest])[:k],
                   subject=(own.subject + [h for h in found.subject if h.chunk.id not in firsts])[:k],
                   sentence_scores=(own.sentence_scores + [s for _, s in rest])[:k])
