"""Answering: retrieve → (structured facts | refusal | prompt → generate → verify) → Answer.

Example::

    assistant = Assistant(retriever, make_chat_model(LLMConfig()))
    for event in assistant.stream("生鲜电商有哪些支持措施？"):
        ...  # Sources first (before any token), then Token pieces, then Done(answer)
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import extractive
from .errors import ModelUnavailable
from .facts import Facts
from .llm import ChatModel
from .normalize import normalize
from .prompt import build_messages, select_excerpts
from .records import EXTRACTIVE, METADATA, PARTIAL, REFUSED, VERIFIED, Answer, Chunk, Citation, Hit
from .refusal import asked_kinds, decide, lacks_asked_kind, pinned
from .retrieve import Retriever
from .verify import CITATION, is_refusal, verify

FOLLOWUP = re.compile(r"^(?:那|那么|还有|另外|此外|这个|这项|这条|该项|它|其|上述)|呢\s*[？?]?\s*$|^(?:and|what about|how about)\b", re.I)
NOT_COVERED = "文件未涉及"
QUOTES_HEAD = "原文要点："


@dataclass(frozen=True)
class AnswerConfig:
    """How answers are made; `refusal_threshold` is calibrated on the question set (README, eval.calibrate)."""

    sources: int = 3  # clauses given to the model and cited
    retrieve_k: int = 5  # clauses retrieved (the rest serve as suggestions when refusing)
    prompt_chars: int = 300  # excerpt characters the model reads, all sources together: prefill is the slow part
    max_tokens: int = 256
    quotes: int = 2  # at most this many further relevant sentences quoted verbatim under a generated answer
    refusal_threshold: float = 0.797  # eval.calibrate on seed.jsonl: refuses <= 2% of answerable by itself
    verify: bool = True

    def __post_init__(self):
        if not 1 <= self.sources <= self.retrieve_k:
            raise ValueError(f"need 1 <= sources <= retrieve_k, got {self.sources}, {self.retrieve_k}")
        if self.prompt_chars < 1 or self.quotes < 0:
            raise ValueError(f"need prompt_chars >= 1 and quotes >= 0, got {self.prompt_chars}, {self.quotes}")


@dataclass
class Sources:
    """Emitted before generation starts: what the answer will be based on."""

    citations: list[Citation]
    standalone_question: str
    retrieval_ms: float


@dataclass
class Token:
    text: str


@dataclass
class Done:
    answer: Answer


Event = Sources | Token | Done


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


def _citations(hits: Sequence[Hit]) -> list[Citation]:
    return [Citation(n, h.chunk, *h.quote) for n, h in enumerate(hits, start=1)]


def _renumber(text: str, used: list[int], citations: list[Citation], notes: list[str] | None = None
              ) -> tuple[str, list[Citation]]:
    """Keep only the cited sources, numbered 1.. in order of first use (notes follow the new numbers)."""
    mapping = {old: new for new, old in enumerate(used, start=1)}
    text = CITATION.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping else "", text)
    for i, note in enumerate(notes or []):
        notes[i] = CITATION.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping
                                else f"[检索结果{m.group(1)}]", note)
    kept = [Citation(mapping[c.n], c.chunk, c.quote_start, c.quote_end) for c in citations if c.n in mapping]
    return text, sorted(kept, key=lambda c: c.n)


class Assistant:
    """Answers questions over one index with one (optional) chat model."""

    def __init__(self, retriever: Retriever, model: ChatModel | None, config: AnswerConfig = AnswerConfig()):
        self.retriever = retriever
        self.model = model
        self.config = config
        chunks = retriever.index.chunks
        self.facts = Facts(chunks, retriever.index.manifest.get("documents", {}))
        self.corpus_text = "\n".join(c.text for c in chunks)

    @property
    def backend(self) -> str:
        return self.model.name if self.model else "extractive"

    def ask(self, question: str, history: Sequence[Answer] | None = None) -> Answer:
        """The final answer (the stream, consumed)."""
        for event in self.stream(question, history):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("answer stream ended without an answer")

    def stream(self, question: str, history: Sequence[Answer] | None = None) -> Iterator[Event]:
        """Sources first, then tokens, then the verified answer."""
        t0 = time.perf_counter()
        ms = lambda: round((time.perf_counter() - t0) * 1000, 1)  # noqa: E731
        standalone, context = rewrite_followup(question, history or [])
        hits = self.retriever.search(standalone, self.config.retrieve_k)
        retrieval_ms = ms()
        base = dict(question=question, standalone_question=standalone, hits=hits)

        def done(text: str, citations: list[Citation], verified: str, backend: str, *, sources_ms: float,
                 first_token_ms: float | None = None, notes: Sequence[str] = (), refused: bool = False) -> Done:
            timings = {"retrieval_ms": retrieval_ms, "sources_ms": sources_ms, "first_token_ms": first_token_ms,
                       "total_ms": ms()}
            suggestions = self._suggestions(hits) if refused else []
            return Done(Answer(text=text, citations=citations, refused=refused, verified=verified, backend=backend,
                               timings=timings, notes=list(notes), suggestions=suggestions, **base))

        fact = self.facts.answer(standalone, hits, context)
        if fact is not None:
            cites = [Citation(n, c, s, e) for n, (c, s, e) in enumerate(fact.sources, start=1)]
            yield Sources(cites, standalone, retrieval_ms)
            yield Token(fact.text)
            yield done(fact.text, cites, REFUSED if fact.refused else METADATA, "facts", sources_ms=retrieval_ms,
                       refused=fact.refused)
            return

        evidence = hits[: self.config.sources]
        best = max((h.dense_score for h in hits), default=0.0)
        decision = decide(standalone, [f"{h.chunk.title}\n{h.chunk.text}" for h in evidence], best,
                          self.config.refusal_threshold,
                          self.corpus_text, self.retriever.bm25.coverage(standalone))
        if decision.refuse:
            yield Sources([], standalone, retrieval_ms)
            text = self._refusal_text(decision.reason, hits)
            yield Token(text)
            yield done(text, [], REFUSED, self.backend, sources_ms=retrieval_ms, notes=[decision.reason], refused=True)
            return

        scores = self.retriever.sentence_scores(standalone, [h.chunk for h in evidence])
        excerpts: list[str] = []
        if self.model is not None:  # the model reads only the best sentences; sources it does not see are not shown
            shown = select_excerpts(standalone, [h.chunk for h in evidence], scores, self.config.prompt_chars)
            evidence, scores = [evidence[i] for i, _ in shown], [scores[i] for i, _ in shown]
            excerpts = [text for _, text in shown]
        citations = _citations(evidence)
        yield Sources(citations, standalone, retrieval_ms)
        sources_ms = ms()
        chunks = [h.chunk for h in evidence]
        notes: list[str] = []
        generated, first_token_ms = "", None
        if self.model is not None:
            messages = build_messages(standalone, list(zip(chunks, excerpts)))
            try:
                for piece in self.model.stream(messages, max_tokens=self.config.max_tokens):
                    if first_token_ms is None:
                        first_token_ms = ms()
                    generated += piece
                    yield Token(piece)
            except ModelUnavailable as e:
                notes.append(f"模型不可用，已改为原文摘录：{e}")
                generated = ""

        text, verified, cites = generated.strip(), VERIFIED, citations
        pins = pinned(standalone)  # years and ordinals the question is about: claims must come from where they are
        if self.model is not None and generated and is_refusal(generated):
            words, known = self.retriever.bm25.coverage(standalone)
            if known * 2 < words:  # the model says no and the question's words are mostly foreign to the corpus
                text = self._refusal_text("模型判断资料不足，且问题用词在文件中少见", hits)
                yield Token("\n\n" + text)
                yield done(text, [], REFUSED, self.backend, sources_ms=sources_ms, first_token_ms=first_token_ms,
                           notes=notes, refused=True)
                return
            notes.append("模型认为资料不足；以下为检索到的原文摘录，请核对")
            text = ""
        elif text and self.config.verify:
            in_scope = [t for t in pins if not any(t in c.title for c in chunks)]  # the title covers 2020-2022
            verdict = verify(text, [c.text for c in chunks], required=in_scope)
            notes += verdict.notes
            kind = lacks_asked_kind(standalone, verdict.text) if verdict.supported else ""
            if kind:
                notes.append(f"回答中没有问题所问的{kind}")
            if verdict.supported and not kind:
                quoted = extractive.supplement(standalone, verdict.text, chunks, scores, self.config.quotes)
                quotes = f"\n\n{QUOTES_HEAD}\n" + "\n".join(extractive.quote_lines(chunks, quoted)) if quoted else ""
                if quotes:
                    yield Token(quotes)
                used = verdict.cited + [n for n in dict.fromkeys(ci + 1 for ci, _ in quoted) if n not in verdict.cited]
                text, cites = _renumber(verdict.text + quotes, used, citations, notes)
                verified = PARTIAL if verdict.dropped else VERIFIED
            else:
                notes.append("生成的回答未通过原文核验，已改为原文摘录")
                text = ""
        if not text:
            def usable(chunk: Chunk, ui: int) -> bool:  # about what the question pins, and of the asked kind
                s, e = chunk.units[ui]
                near = extractive.neighbourhood(chunk, ui)
                return all(t in near for t in pins) and not lacks_asked_kind(standalone, chunk.text[s:e])

            chosen = extractive.select(standalone, chunks, scores, usable=usable)
            if not chosen and chunks:  # no sentence is about what the question pins, or of the kind it asks
                kinds = "或".join(asked_kinds(standalone))
                reason = (f"相关条款中没有关于问题所问的“{'、'.join(pins)}”的内容" if pins else
                          f"相关条款中没有问题所问的{kinds}" if kinds else "相关条款中没有可引用的原文")
                text = self._refusal_text(reason, hits)
                yield Token(("\n\n" if generated else "") + text)
                yield done(text, [], REFUSED, self.backend, sources_ms=sources_ms, first_token_ms=first_token_ms,
                           notes=[*notes, reason], refused=True)
                return
            text, verified = extractive.compose(chunks, chosen), EXTRACTIVE
            used = sorted({ci + 1 for ci, _ in chosen})
            text, cites = _renumber(text, used, citations)
            if self.model is None or generated:
                yield Token(("\n\n" if generated else "") + text)
        backend = "extractive" if verified == EXTRACTIVE else self.backend  # what actually wrote the text
        yield done(text, cites, verified, backend, sources_ms=sources_ms, first_token_ms=first_token_ms, notes=notes)

    def answer_from_passages(self, question: str, passages: Sequence[str]) -> Answer:
        """Answer from the given passages alone (benchmarks such as RGB): same retrieval, refusal and checks."""
        from .chunking import passage_chunks
        from .config import IndexConfig
        from .index import VectorIndex, build_faiss

        chunks = passage_chunks(list(passages))
        embedder = self.retriever.embedder
        vectors = embedder.embed_passages([t for c in chunks for t in c.unit_texts()])
        index = VectorIndex(chunks, build_faiss(vectors, IndexConfig()), {"documents": {}})
        return Assistant(Retriever(index, embedder, self.retriever.config), self.model, self.config).ask(question)

    def _suggestions(self, hits: Sequence[Hit]) -> list[str]:
        seen: list[str] = []
        for h in hits:
            label = h.chunk.path_str if len(self.facts.documents) <= 1 else f"《{h.chunk.title}》{h.chunk.path_str}"
            if label not in seen:
                seen.append(label)
        return seen[:3]

    def _refusal_text(self, reason: str, hits: Sequence[Hit]) -> str:
        near = "；".join(s for s in self._suggestions(hits))
        tail = f"相近的条款：{near}。" if near else ""
        return f"{NOT_COVERED}：现有文件中没有找到能回答该问题的规定（{reason}）。{tail}"


def __getattr__(name: str):
    # build_assistant and add_answer_args live in wiring (they need the CLI's options); re-exported lazily.
    if name in ("build_assistant", "add_answer_args"):
        from . import wiring

        return getattr(wiring, name)
    raise AttributeError(name)
