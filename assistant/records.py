"""The records that flow through the pipeline: document → chunk → hit → answer."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from assistant.patterns import CLOSERS, SENTENCE_CLOSED, SENTENCE_ENDS, reference


@dataclass(frozen=True)
class Document:
    """A loaded source file; `text` is what offsets and citations refer to.

    Example: ``Document(doc_id="plan", source="plan.txt", title="…", text="…", meta={"doc_number": "沪府办发〔2020〕1号"})``
    """

    doc_id: str
    source: str
    title: str
    text: str
    meta: dict = field(default_factory=dict)
    sha256: str = ""

    @property
    def doc_number(self) -> str:
        return self.meta.get("doc_number", "")


@dataclass(frozen=True)
class Line:
    """One content line of a document, with its offsets into `Document.text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of one document; `text` is `document.text[start:end]`, shown as is."""

    id: str
    doc_id: str
    source: str
    title: str
    doc_number: str
    text: str
    start: int
    end: int
    path: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    item: str = ""
    units: tuple[tuple[int, int], ...] = ()  # sentence spans in `text`; each gets its own vector
    version: str = ""  # the document's version date (YYYY-MM-DD), "" when it states none

    @property
    def path_str(self) -> str:
        return " > ".join(self.path)

    @property
    def scope(self) -> str:
        """What holds for every clause of the document: its title (a period, 2020-2022年) and its version date."""
        return f"{self.title}({self.version})" if self.version else self.title

    @property
    def label(self) -> str:
        """How an answer may name the clause: title, version date, 文号 and clause path."""
        return " ".join(p for p in (self.title, self.version, self.doc_number, self.path_str) if p)

    @property
    def indexed_text(self) -> str:
        """What gets embedded and BM25-indexed: the heading path gives context the body lacks."""
        head = " > ".join(p for p in (self.title, *self.path) if p)
        return f"{head}\n{self.text}" if head else self.text

    @property
    def said(self) -> str:
        """The chunk's sentences (its units), one per line: its text less the sentences addressed to an AI, which
        are never evidence."""
        return "\n".join(self.text[s:e] for s, e in self.units)

    def unit_texts(self) -> list[str]:
        """What gets embedded: each sentence with its nearest heading (or the title), so that a
        sentence keeps its topic while its vector is not drowned by a long shared prefix."""
        head = self.path[-1] if self.path else self.title
        return [f"{head} {self.text[s:e]}" for s, e in self.units]

    def sentence_span(self, ui: int) -> tuple[int, int]:
        """Unit `ui` widened to whole sentences, offsets in `text`. A unit is a scoring piece: a long sentence is cut
        at a comma into several, and a closing quote after 。 opens the next one. The span joins the units of the
        sentence, from where it starts (a line start, or just past 。！？； and its closing quotes) to its end (the
        same, a line end, or the clause's end); never over text between units (a sentence addressed to an AI)."""
        text, units = self.text, self.units

        def joined(i: int) -> bool:  # unit i follows unit i - 1 on the same line with nothing between
            return not text[units[i - 1][1] : units[i][0]].strip(" \t")

        def closes(i: int) -> bool:  # unit i ends a sentence, a line or the clause
            return bool(SENTENCE_CLOSED.search(text[units[i][0] : units[i][1]])) or \
                text[units[i][1] :].lstrip(" \t")[:1] in ("", "\n")

        a, b = ui, ui
        while a > 0 and joined(a) and not closes(a - 1):
            a -= 1
        while b < len(units) - 1 and not closes(b) and joined(b + 1):
            b += 1
        start, end = units[a][0], units[b][1]
        while start < end and text[start] in CLOSERS and start > 0 and text[start - 1] in SENTENCE_ENDS + CLOSERS:
            start += 1  # the ” closing the sentence before
        while end < len(text) and text[end] in CLOSERS and text[end - 1] in SENTENCE_ENDS + CLOSERS:
            end += 1  # its own closing quote, which the next unit began with
        return start, end

    def to_json(self) -> dict:
        return {
            "id": self.id, "doc_id": self.doc_id, "source": self.source, "title": self.title,
            "doc_number": self.doc_number, "text": self.text, "start": self.start, "end": self.end,
            "path": list(self.path), "departments": list(self.departments), "item": self.item,
            "units": [list(u) for u in self.units], "version": self.version,
        }

    @classmethod
    def from_json(cls, d: dict) -> Chunk:
        return cls(**{**d, "path": tuple(d["path"]), "departments": tuple(d["departments"]),
                      "units": tuple(tuple(u) for u in d["units"])})


def chunk_id(source: str, text: str, start: int) -> str:
    """Stable id: re-indexing the same text of the same file gives the same id."""
    return hashlib.sha1(f"{source}\x00{start}\x00{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks each retriever gave it (0 = not found).

    `unit` is the chunk's best-matching sentence for the query (an index into `chunk.units`), -1 if none.
    """

    chunk: Chunk
    score: float
    dense_rank: int = 0
    bm25_rank: int = 0
    dense_score: float = 0.0
    unit: int = -1
    status: str = ""  # the document's status label (现行有效, 已被新版本取代 …), set by the retriever

    @property
    def quote(self) -> tuple[int, int]:
        """Offsets in the document of the best-matching sentence, whole (the whole chunk when unknown)."""
        if 0 <= self.unit < len(self.chunk.units):
            s, e = self.chunk.sentence_span(self.unit)
            return self.chunk.start + s, self.chunk.start + e
        return self.chunk.start, self.chunk.end

    def to_json(self) -> dict:
        """The hit as search results print it (CLI `--json`, LangChain metadata)."""
        c = self.chunk
        return {"id": c.id, "text": c.text, "path": c.path_str, "source": c.source, "title": c.title,
                "version": c.version, "status": self.status, "doc_number": c.doc_number,
                "departments": list(c.departments), "start": c.start, "end": c.end, "score": round(self.score, 6)}


@dataclass(frozen=True)
class Citation:
    """Source [n] of an answer: the clause, its full text, and the quoted span (document offsets)."""

    n: int
    chunk: Chunk
    quote_start: int
    quote_end: int
    status: str = ""  # the document's status label when cited

    @property
    def quote(self) -> str:
        return self.chunk.text[self.quote_start - self.chunk.start : self.quote_end - self.chunk.start]

    @property
    def reference(self) -> str:
        """The string staff paste into a reply: 《title》(文号) clause path."""
        return reference(self.chunk.title, self.chunk.doc_number, self.chunk.path_str, self.chunk.version)

    def to_json(self) -> dict:
        c = self.chunk
        return {"n": self.n, "text": c.text, "path": c.path_str, "source": c.source, "title": c.title,
                "version": c.version, "status": self.status, "doc_number": c.doc_number, "departments": list(c.departments), "quote": self.quote,
                "quote_start": self.quote_start, "quote_end": self.quote_end, "chunk_id": c.id,
                "reference": self.reference}


# Verification outcomes, shown to users as 依据充分 / 部分内容未在原文中核实 / 文件未涉及 …
VERIFIED, PARTIAL, EXTRACTIVE, METADATA, REFUSED = "verified", "partial", "extractive", "metadata", "refused"
NOT_STATED = "not_stated"  # the clauses about the subject are shown as related, not as the answer
ELIGIBILITY = "eligibility"  # "我们公司…能申请…吗": a measure's conditions checked against what the question states
STATUS_LABELS = {VERIFIED: "依据充分", PARTIAL: "部分内容未在原文中核实", EXTRACTIVE: "原文摘录",
                 METADATA: "文件结构化信息", REFUSED: "文件未涉及", NOT_STATED: "文件未直接写明",
                 ELIGIBILITY: "申报条件核对"}


@dataclass
class Usage:
    """Tokens a chat model read (prompt) and wrote (completion) for one answer, summed over its calls, as its
    backend counts them (llm.py says how for each); `calls` 0: no model was called."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.calls += 1


@dataclass
class Answer:
    """What the assistant says, with everything needed to check it."""

    question: str
    text: str
    citations: list[Citation]
    refused: bool
    verified: str  # one of VERIFIED, PARTIAL, EXTRACTIVE, METADATA, REFUSED
    backend: str
    standalone_question: str = ""
    timings: dict = field(default_factory=dict)  # retrieval_ms, sources_ms, first_token_ms, total_ms
    notes: list[str] = field(default_factory=list)  # what verification removed or flagged, and why
    suggestions: list[str] = field(default_factory=list)  # nearest sections, when refused
    hits: list[Hit] = field(default_factory=list)
    notice: str = ""  # first line shown above the text: the answer rests on a superseded or expired document
    documents: list[str] = field(default_factory=list)  # 《title》(version) of each document cited, when several
    searched_as: list[str] = field(default_factory=list)  # other wordings also searched: a foreign question's Chinese
    usage: Usage = field(default_factory=Usage)  # the chat model's tokens for this answer

    @property
    def outcome(self) -> str:
        """"answered", "not_stated" (the documents speak of the subject but do not state what was asked; the
        clauses cited are related, not the answer) or "refused" (文件未涉及)."""
        return "refused" if self.refused else "not_stated" if self.verified == NOT_STATED else "answered"

    @property
    def display_text(self) -> str:
        """What a reader sees: the notice first, the text, then the documents when the sources span several."""
        used = f"依据文件：{'；'.join(self.documents)}" if len(self.documents) > 1 else ""
        return "\n\n".join(p for p in (self.notice, self.text, used) if p)

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.text, "outcome": self.outcome, "refused": self.refused,
                "citations": [c.to_json() for c in self.citations], "verified": self.verified,
                "backend": self.backend, "standalone_question": self.standalone_question,
                "timings": self.timings, "notes": self.notes, "suggestions": self.suggestions,
                "notice": self.notice, "documents": self.documents, "searched_as": self.searched_as,
                "display_text": self.display_text}
