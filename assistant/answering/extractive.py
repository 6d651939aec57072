"""Answers with no LLM: the best-supported sentences of the retrieved clauses, quoted with citations."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.normalize import normalize
from assistant.records import Chunk
from assistant.answering.verify import bigram_support
from assistant.patterns import DEPARTMENT_NOTE, DOC_NUMBER

COVERED = 0.6  # share of a sentence's bigrams already in the answer for it to count as said


def overlap(question: str, sentence: str) -> float:
    """Share of the question's character bigrams found in the sentence."""
    q, s = normalize(question), normalize(sentence)
    grams = {q[i : i + 2] for i in range(len(q) - 1)}
    return sum(g in s for g in grams) / len(grams) if grams else 0.0


def rank_units(question: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]], source_bonus: float = 0.02
               ) -> list[tuple[float, int, int]]:
    """(score, source index, unit index) of every distinct sentence worth quoting, best first: dense similarity plus
    word overlap with the question, with a small bonus for better-ranked sources (the parts of one item are equal:
    `source_bonus` 0)."""
    candidates = []
    for ci, (chunk, unit_scores) in enumerate(zip(chunks, scores)):
        label = normalize(chunk.path[-1]) if chunk.path else ""
        title = normalize(chunk.title)
        for ui, (s, e) in enumerate(chunk.units):
            line = normalize(chunk.text[s:e]).rstrip("。")
            if (label and line in label) or (title and line in title) or DOC_NUMBER.fullmatch(line.strip("()（）")):
                continue  # the item's own title line, the document title or its 文号 say nothing the label does not
            if DEPARTMENT_NOTE.fullmatch(chunk.text[s:e].strip()):
                continue  # a bare (责任部门:…) note is shown with the source, not quoted as a measure
            dense = unit_scores[ui] if ui < len(unit_scores) else 0.0
            rank_bonus = source_bonus * (len(chunks) - ci)  # earlier sources are better ranked overall
            candidates.append((dense + 0.5 * overlap(question, chunk.text[s:e]) + rank_bonus, ci, ui))
    seen: set[str] = set()
    ranked = []
    for score, ci, ui in sorted(candidates, reverse=True):  # a sentence repeated across sources counts once
        s, e = chunks[ci].units[ui]
        key = normalize(chunks[ci].text[s:e])
        if key not in seen:
            seen.add(key)
            ranked.append((score, ci, ui))
    return ranked


def neighbourhood(chunk: Chunk, ui: int) -> str:
    """A sentence with the sentences either side of it, and the document's title and version (its scope)."""
    s, e = chunk.units[max(ui - 1, 0)][0], chunk.units[min(ui + 1, len(chunk.units) - 1)][1]
    return f"{chunk.scope}\n{chunk.text[s:e]}"


def quoted(chunk: Chunk, ui: int) -> str:
    """What quoting unit `ui` shows: its whole sentence (`Chunk.sentence_span`)."""
    s, e = chunk.sentence_span(ui)
    return chunk.text[s:e]


def _repeats(chunks: Sequence[Chunk], chosen: Sequence[tuple[int, int]], ci: int, ui: int) -> bool:
    """Whether the sentence of unit `ui` overlaps one already chosen from the same source (two pieces of one long
    sentence are one quote)."""
    s, e = chunks[ci].sentence_span(ui)
    return any(c == ci and s < (span := chunks[c].sentence_span(u))[1] and span[0] < e for c, u in chosen)


def select(question: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]],
           max_sentences: int = 3, per_chunk: int = 2,
           usable: Callable[[Chunk, int], bool] | None = None) -> list[tuple[int, int]]:
    """(source index, unit index) of the best sentences, in source and text order; only those for which
    `usable(chunk, unit index)` holds, when given, and one unit per sentence."""
    chosen: list[tuple[int, int]] = []
    for _, ci, ui in rank_units(question, chunks, scores):
        if (usable is not None and not usable(chunks[ci], ui)) or _repeats(chunks, chosen, ci, ui):
            continue
        if sum(1 for c, _ in chosen if c == ci) < per_chunk:
            chosen.append((ci, ui))
        if len(chosen) == max_sentences:
            break
    return sorted(chosen)


def supplement(question: str, answer: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]],
               max_sentences: int = 2, margin: float = 0.1) -> list[tuple[int, int]]:
    """Sentences to quote under a generated answer: the best-ranked ones (within `margin` of the best)
    whose wording the answer does not already carry. A small model tends to answer from one sentence of
    a clause that holds several relevant ones; the quotes show the rest verbatim."""
    ranked = rank_units(question, chunks, scores)
    chosen: list[tuple[int, int]] = []
    for score, ci, ui in ranked:
        if score < ranked[0][0] - margin or len(chosen) == max_sentences:
            break
        if bigram_support(quoted(chunks[ci], ui), answer) < COVERED and not _repeats(chunks, chosen, ci, ui):
            chosen.append((ci, ui))
    return sorted(chosen)


def quote_lines(chunks: Sequence[Chunk], chosen: Sequence[tuple[int, int]]) -> list[str]:
    """One "- clause：“sentence”[n]" line per chosen sentence, whole ([n] is the source index + 1); the clause is
    prefixed with its document's title when the sentences come from several documents."""
    several = len({chunks[ci].doc_id for ci, _ in chosen}) > 1
    lines = []
    for ci, ui in chosen:
        c = chunks[ci]
        label = c.path[-1] if c.path else c.title
        if several and c.title:
            label = f"《{c.title}》{label}"
        lines.append(f"- {label}：“{quoted(c, ui)}”[{ci + 1}]")
    return lines


def compose(chunks: Sequence[Chunk], chosen: Sequence[tuple[int, int]]) -> str:
    """The extractive answer text; [n] is the source index + 1."""
    if not chosen:
        return ""
    titles = list(dict.fromkeys(chunks[ci].title for ci, _ in chosen))
    if len(titles) > 1:
        head = "根据以下文件的相关规定（原文摘录）："
    else:
        head = f"根据《{titles[0]}》，相关规定如下（原文摘录）：" if titles[0] else "根据检索到的资料（原文摘录）："
    return "\n".join([head, *quote_lines(chunks, chosen)])
