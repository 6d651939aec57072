"""Answers with no LLM: the best-supported sentences of the retrieved clauses, quoted with citations."""
from __future__ import annotations

from collections.abc import Sequence

from .chunking import DEPARTMENTS
from .normalize import normalize
from .records import Chunk


def overlap(question: str, sentence: str) -> float:
    """Share of the question's character bigrams found in the sentence."""
    q, s = normalize(question), normalize(sentence)
    grams = {q[i : i + 2] for i in range(len(q) - 1)}
    return sum(g in s for g in grams) / len(grams) if grams else 0.0


def select(question: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]],
           max_sentences: int = 3, per_chunk: int = 2) -> list[tuple[int, int]]:
    """(source index, unit index) of the best sentences: dense similarity plus word overlap with the question."""
    candidates = []
    for ci, (chunk, unit_scores) in enumerate(zip(chunks, scores)):
        label = normalize(chunk.path[-1]) if chunk.path else ""
        for ui, (s, e) in enumerate(chunk.units):
            if label and normalize(chunk.text[s:e]).rstrip("。") in label:
                continue  # the item's own title line says nothing the label does not
            if DEPARTMENTS.fullmatch(chunk.text[s:e].strip()):
                continue  # a bare (责任部门:…) note is shown with the source, not quoted as a measure
            dense = unit_scores[ui] if ui < len(unit_scores) else 0.0
            rank_bonus = 0.02 * (len(chunks) - ci)  # earlier sources are better ranked overall
            candidates.append((dense + 0.5 * overlap(question, chunk.text[s:e]) + rank_bonus, ci, ui))
    chosen: list[tuple[int, int]] = []
    for _, ci, ui in sorted(candidates, reverse=True):
        if sum(1 for c, _ in chosen if c == ci) < per_chunk:
            chosen.append((ci, ui))
        if len(chosen) == max_sentences:
            break
    return sorted(chosen)


def compose(chunks: Sequence[Chunk], chosen: Sequence[tuple[int, int]]) -> str:
    """The extractive answer text; [n] is the source index + 1."""
    if not chosen:
        return ""
    title = chunks[chosen[0][0]].title
    lines = [f"根据《{title}》，相关规定如下（原文摘录）：" if title else "根据检索到的资料（原文摘录）："]
    for ci, ui in chosen:
        c = chunks[ci]
        s, e = c.units[ui]
        label = c.path[-1] if c.path else c.title
        lines.append(f"- {label}：“{c.text[s:e].strip()}”[{ci + 1}]")
    return "\n".join(lines)
