"""An answer's citations: numbered from its sources, renumbered to what the text cites, and the notice when a
cited document is not in force."""
from __future__ import annotations

from collections.abc import Sequence

from assistant.ingest.library import Library
from assistant.patterns import CITATION
from assistant.records import Citation, Hit


def cite(hits: Sequence[Hit]) -> list[Citation]:
    """The hits as citations [1], [2] …, each quoting its best sentence."""
    return [Citation(n, h.chunk, *h.quote, status=h.status) for n, h in enumerate(hits, start=1)]


def renumber(text: str, used: list[int], citations: list[Citation], notes: list[str] | None = None
             ) -> tuple[str, list[Citation]]:
    """Keep only the cited sources, numbered 1.. in order of first use (notes follow the new numbers)."""
    mapping = {old: new for new, old in enumerate(used, start=1)}
    text = CITATION.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping else "", text)
    for i, note in enumerate(notes or []):
        notes[i] = CITATION.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping
                                else f"[检索结果{m.group(1)}]", note)
    kept = [Citation(mapping[c.n], c.chunk, c.quote_start, c.quote_end, c.status) for c in citations if c.n in mapping]
    return text, sorted(kept, key=lambda c: c.n)


def notice(citations: Sequence[Citation], library: Library) -> str:
    """The first line of an answer that rests on a document not in force: which, why, and what replaces it."""
    parts = []
    for doc_id in dict.fromkeys(c.chunk.doc_id for c in citations):
        status = library.status(doc_id)
        if not status.in_force:
            parts.append(f"{library.named(doc_id)}{status.label}（{status.reason}）" if status.reason
                         else f"{library.named(doc_id)}{status.label}")
    return f"注意：本回答依据的{'；'.join(parts)}，以下内容仅供参考，请以现行规定为准。" if parts else ""
