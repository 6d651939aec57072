"""Structure-aware chunking of Chinese official documents: one numbered item never shares a chunk.

The outline of a policy text is read from its line starts (第X编/章/节, 一、, (一), 1、, 第X条, markdown #);
each chunk carries its clause path and the item's 责任部门. Long items are split at sentence ends.
In a regulation (a text with 第X条 articles) the article is the unit: its 款, 项 (一) and 目 1. stay in it,
so an item never ends up above the next article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.config import ChunkingConfig
from assistant.ingest.documents import content_lines
from assistant.patterns import CN_NUM, DEPARTMENT_NOTE, SENTENCE_ENDS
from assistant.records import Chunk, Document, Line, chunk_id


# (rank, pattern): a smaller rank is higher in the outline. Items (rank 40) are the citation unit.
HEADINGS: list[tuple[str, int, re.Pattern]] = [
    ("book", 5, re.compile(rf"^第[{CN_NUM}\d]+编")),
    ("chapter", 10, re.compile(rf"^第[{CN_NUM}\d]+章")),
    ("part", 15, re.compile(rf"^第[{CN_NUM}\d]+节")),
    ("section", 20, re.compile(rf"^[{CN_NUM}]+[、.．]")),
    ("subsection", 30, re.compile(rf"^[(（][{CN_NUM}]+[)）]")),
    ("item", 40, re.compile(r"^\d{1,3}(?:[、．]|\.(?!\d))")),
    ("article", 40, re.compile(rf"^第[{CN_NUM}\d]+条")),
]
MARKDOWN = re.compile(r"^(#{1,6})\s+(.*)$")
ARTICLE = re.compile(rf"^第[{CN_NUM}\d]+条")
ARTICLE_TITLE = re.compile(rf"^第[{CN_NUM}\d]+条(?:\s*【[^】]{{1,20}}】)?")
DIVISION = re.compile(rf"^(第[{CN_NUM}\d]+[编章节])\s*(.*)$")
DEPT_SPLIT = re.compile(r"[、，,；;/\s]+")
SENTENCE_END = re.compile(f"(?<=[{SENTENCE_ENDS}])")
TITLE_END = re.compile(r"[。；;：:！？!?]")
MAX_TITLE = 40
MAX_UNIT, MIN_UNIT = 120, 12  # sentence units: long enough to carry a fact, short enough to stay on one
PREAMBLE = "前言"


@dataclass
class _Block:
    """Lines under one outline position, collected before being cut into chunks."""

    path: tuple[str, ...]
    item: str
    lines: list[Line]


BELOW_ARTICLE = ("subsection", "item")  # 项 (一) and 目 1.: parts of an article in a regulation


def classify(line: str, markdown: bool, articles: bool = False) -> tuple[str, int, str] | None:
    """Return (kind, rank, label) when a line opens an outline node, else None; with `articles` (the text
    is a regulation) items and subsections are parts of their article, not nodes."""
    if markdown and (m := MARKDOWN.match(line)):
        text = m.group(2).strip().rstrip("#").strip()
        nested = classify(text, markdown=False, articles=articles)  # "## 第一章 总 则" ranks as a chapter
        if nested:  # a heading article keeps its title: "### 第五条 资金支持"
            return "heading", nested[1], text if nested[0] == "article" and len(text) <= MAX_TITLE else nested[2]
        return "heading", len(m.group(1)), text
    for kind, rank, pattern in HEADINGS:
        if pattern.match(line):
            if articles and kind in BELOW_ARTICLE:
                return None
            return kind, rank, _label(kind, line)
    return None


def _label(kind: str, line: str) -> str:
    """How the path names a node: an article by its number (第七条), a chapter by number and title
    (第二章 创业扶持), anything else by the line up to its first sentence end, if short."""
    if kind == "article":  # 第七条, or 第七条【资金支持】 where the article has a bracketed title
        return ARTICLE_TITLE.match(line).group(0)
    if m := DIVISION.match(line):
        return " ".join(p for p in (m.group(1), "".join(m.group(2).split())) if p)
    m = TITLE_END.search(line)
    title = line[: m.start()] if m else line
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE] + "…"


def _item_number(kind: str, line: str) -> str:
    if kind == "item":
        return re.match(r"\d+", line).group(0)
    if kind == "article":
        return ARTICLE.match(line).group(0)
    return ""


def parse_departments(text: str) -> tuple[str, ...]:
    """Departments named in every (责任部门:…) note of the text, in order, without repeats."""
    found: list[str] = []
    for m in DEPARTMENT_NOTE.finditer(text):
        for name in DEPT_SPLIT.split(m.group(1)):
            if name and name not in found:
                found.append(name)
    return tuple(found)


def outline(doc: Document) -> list[_Block]:
    """Group the document's content lines under their outline position."""
    markdown = doc.source.lower().endswith(".md")
    stack: list[tuple[int, str]] = []  # (rank, label) of open headings
    blocks: list[_Block] = []
    current: _Block | None = None
    lines = content_lines(doc)
    articles = any(ARTICLE.match(line.text) for line in lines)
    for line in lines:
        node = classify(line.text, markdown, articles)
        if node:
            kind, rank, label = node
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, label))
            body = kind in ("item", "article") or (
                kind != "heading" and len(line.text) > len(label) + 1
            )
            current = _Block(tuple(lab for _, lab in stack), _item_number(kind, line.text), [])
            blocks.append(current)
            if body:
                current.lines.append(line)
            continue
        closed = current is not None and current.item and current.lines and DEPARTMENT_NOTE.search(
            current.lines[-1].text
        )
        if current is None or closed:
            # Text before any heading is the preamble; text after an item's 责任部门 note is not that item's.
            path = tuple(lab for rank, lab in stack if rank < 40) or (PREAMBLE,)
            current = _Block(path, "", [])
            blocks.append(current)
        current.lines.append(line)
    return [b for b in blocks if b.lines]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text` (ends at 。！？； and line breaks), surrounding whitespace excluded."""
    ends = {m.start() for m in SENTENCE_END.finditer(text)} | {m.end() for m in re.finditer(r"\n", text)}
    bounds = sorted(ends | {len(text)})
    spans, prev = [], 0
    for b in bounds:
        s, e = prev, b
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        prev = b
    return spans


def _bounded(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans, a sentence longer than max_chars cut at its last comma within the bound."""
    out: list[tuple[int, int]] = []
    for s, e in sentences(text):
        while e - s > max_chars:
            cut = max(text.rfind(c, s, s + max_chars) for c in "，,、")
            cut = cut + 1 if cut > s else s + max_chars
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def units(text: str, max_chars: int = MAX_UNIT, min_chars: int = MIN_UNIT) -> tuple[tuple[int, int], ...]:
    """The sentence units of a chunk: sentences, a very short one joined to its neighbour."""
    out: list[tuple[int, int]] = []
    for s, e in _bounded(text, max_chars):
        if out and (e - s < min_chars or out[-1][1] - out[-1][0] < min_chars):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return tuple(out)


def _pieces(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut text into spans of at most max_chars, packing whole sentences where possible."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for s, e in _bounded(text, max_chars):
        if spans and e - spans[-1][0] <= max_chars and not text[spans[-1][1] : s].strip():
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def _contiguous(doc: Document, lines: list[Line]) -> list[list[Line]]:
    """Split a block where something other than whitespace (removed residue) lies between lines."""
    runs: list[list[Line]] = [[lines[0]]]
    for prev, line in zip(lines, lines[1:]):
        if doc.text[prev.end : line.start].strip():
            runs.append([])
        runs[-1].append(line)
    return runs


def chunk_document(doc: Document, config: ChunkingConfig) -> list[Chunk]:
    """Cut one document into chunks that each stay inside one outline node."""
    chunks: list[Chunk] = []
    for block in outline(doc):
        departments = parse_departments(" ".join(line.text for line in block.lines))
        for run in _contiguous(doc, block.lines):
            start, end = run[0].start, run[-1].end
            text = doc.text[start:end]
            for s, e in _pieces(text, config.max_chars):
                while s < e and text[s].isspace():
                    s += 1
                piece = doc.text[start + s : start + e].rstrip()
                if not piece:
                    continue
                chunks.append(
                    Chunk(
                        id=chunk_id(doc.source, piece, start + s), doc_id=doc.doc_id, source=doc.source,
                        title=doc.title, doc_number=doc.doc_number, text=piece, start=start + s,
                        end=start + s + len(piece), path=block.path, departments=departments,
                        item=block.item, units=units(piece), version=str(doc.meta.get("version", "") or ""),
                    )
                )
    return chunks


def passage_chunks(passages: list[str], config: ChunkingConfig = ChunkingConfig()) -> list[Chunk]:
    """Loose passages (a benchmark's retrieved texts) as chunks of untitled documents "passage-1", "passage-2", …"""
    return [c for i, p in enumerate(passages) for c in chunk_document(Document(f"p{i}", f"passage-{i + 1}", "", p), config)]
