"""Answering: retrieve → (structured facts | refusal | prompt → generate → verify) → Answer.

Example::

    assistant = Assistant(retriever, make_chat_model(LLMConfig()))
    for event in assistant.stream("生鲜电商有哪些支持措施？"):
        ...  # Sources first (before any token), then Token pieces, then Done(answer)
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.answering import extractive
from assistant.answering.citations import cite, notice, renumber
from assistant.answering.config import CALIBRATED_THRESHOLDS, AnswerConfig, calibrated_threshold  # noqa: F401
from assistant.answering.events import Done, Event, Sources, Token
from assistant.answering.facts import Facts
from assistant.answering.followup import anaphoric, bound_first, rewrite_followup
from assistant.answering.places import governing_names
from assistant.answering.llm import DEFAULT_MODELS, ChatModel, LLMConfig, make_chat_model
from assistant.answering.prompt import build_messages, select_excerpts
from assistant.answering.refusal import (ABOUT, Decision, Grounds, about, decide, judged_clauses, lacks_asked_kind,
                                         no_quote_reason, not_stated_text, own_words, quoting_first, refusal_text, says,
                                         suggestions)
from assistant.answering.unstated import unsaid
from assistant.answering.translate import chinese_wordings
from assistant.answering.turn import Turn
from assistant.answering.verify import is_refusal, verify
from assistant.answering.versions import Versions
from assistant.errors import ModelUnavailable
from assistant.normalize import normalize
from assistant.records import (EXTRACTIVE, METADATA, NOT_STATED, PARTIAL, REFUSED, VERIFIED, Answer, Chunk, Citation,
                               Hit, Usage)
from assistant.retrieval.retrieve import Filters, Retriever


QUOTES_HEAD = "原文要点："


class Assistant:
    """Answers questions over one index with one (optional) chat model.

    Example::

        assistant = Assistant.from_index("index/", backend="extractive")
        print(assistant.ask("生鲜电商有哪些支持措施？").text)
    """

    def __init__(self, retriever: Retriever, model: ChatModel | None, config: AnswerConfig = AnswerConfig()):
        self.retriever = retriever
        self.model = model
        self.config = config
        self.threshold = (config.refusal_threshold if config.refusal_threshold is not None
                          else calibrated_threshold(retriever.embedder.name))
        chunks = retriever.chunks
        self.facts = Facts(chunks, retriever.documents)
        self.versions = Versions(chunks, retriever.library)
        self.grounds = Grounds(normalize("\n".join(c.text for c in chunks)),  # once, not per question
                               tuple(retriever.library.title(d) for d in retriever.library.documents),
                               governing_names(retriever.library, chunks),
                               {d: str(retriever.library.meta(d).get("issued", "") or "")
                                for d in retriever.library.documents})

    @classmethod
    def from_index(cls, directory: str | Path, backend: str = "local", config: AnswerConfig = AnswerConfig(),
                   llm: LLMConfig | None = None) -> Assistant:
        """An assistant over a built index, with the embedder its manifest names and the given chat model."""
        llm = llm or LLMConfig(backend=backend, model=DEFAULT_MODELS.get(backend, ""))
        return cls(Retriever.from_index(directory), make_chat_model(llm), config)

    @property
    def backend(self) -> str:
        return self.model.name if self.model else "extractive"

    def over_passages(self, passages: Sequence[str]) -> Assistant:
        """The same model and checks over the given passages alone (benchmarks such as RGB)."""
        return Assistant(Retriever.from_passages(passages, self.retriever.embedder, self.retriever.config),
                         self.model, self.config)

    def ask(self, question: str, history: Sequence[Answer] | None = None, filters: Filters = Filters()) -> Answer:
        """The final answer (the stream, consumed)."""
        for event in self.stream(question, history, filters):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("answer stream ended without an answer")

    def stream(self, question: str, history: Sequence[Answer] | None = None, filters: Filters = Filters()
               ) -> Iterator[Event]:
        """Sources first, then tokens, then the verified answer: structured facts, an early refusal, or
        generation → verification → (quotes | verbatim excerpts)."""
        turn = self._retrieve(question, history or [], filters)
        found = turn.found
        if not found.matches_any:  # never fall back to every document
            yield from self._refuse(turn, "筛选条件没有匹配任何文件，请放宽或更换筛选条件", sources_first=True)
            return
        fact = (self.versions.answer(turn.standalone, turn.hits)
                or self.facts.answer(turn.asked, turn.hits, turn.context, turn.bound))
        if fact is not None:
            yield from self._fact_answer(turn, fact)
            return
        sources = turn.hits[: self.config.sources]
        decision = self._decide(turn, sources)
        if decision.refuse:
            yield from (self._not_stated(turn, sources, decision) if decision.related
                        else self._refuse(turn, decision.reason, sources_first=True))
            return
        evidence, scores, excerpts = self._evidence(turn, sources)
        chunks, citations = [h.chunk for h in evidence], cite(evidence)
        yield Sources(citations, turn.standalone, turn.retrieval_ms, notice(citations, found.library))
        turn.sources_ms = turn.ms()
        generated = yield from self._generate(turn, chunks, excerpts)
        if self.model is not None and generated and is_refusal(generated):
            words, known = found.coverage
            if known * 2 < words:  # the model says no and the question's words are mostly foreign to the corpus
                yield from self._refuse(turn, "模型判断资料不足，且问题用词在文件中少见", after_text=True)
                return
            turn.notes.append("模型认为资料不足；以下为检索到的原文摘录，请核对")
            checked = None
        else:
            checked = yield from self._check(turn, generated, chunks, scores, citations)
        if checked is None:  # nothing generated, or it did not pass: quote the sources verbatim
            checked = self._excerpts(turn, chunks, scores, citations)
            if checked is None:
                yield from self._refuse(turn, no_quote_reason(turn.standalone), after_text=bool(generated))
                return
            if self.model is None or generated:
                yield Token(("\n\n" if generated else "") + checked[0])
        text, cites, verified = checked
        backend = "extractive" if verified == EXTRACTIVE else self.backend  # what actually wrote the text
        yield self._done(turn, text, cites, verified, backend)

    # -- the steps of `stream` --

    def _retrieve(self, question: str, history: Sequence[Answer], filters: Filters) -> Turn:
        """The standalone question (follow-ups rewritten) and what retrieval found for it."""
        t0 = time.perf_counter()
        standalone, context = rewrite_followup(question, history)
        usage = Usage()
        also = chinese_wordings(self.model, standalone, usage)
        # Retrieval lifts the clauses that state the kind of fact asked (an amount, a period …). Whether the library
        # covers the question is judged on the clauses about its subject: lifted in, any fine would "state the amount"
        # of a fee the documents never set.
        found = self.retriever.retrieve(standalone, self.config.retrieve_k, filters, also)
        bound = bool(context) and anaphoric(question)  # "这些措施…": answered from what the previous answer cited
        if bound:
            found = bound_first(self.retriever, found, context, self.config.retrieve_k, filters)
        turn = Turn(question, standalone, context, found, t0, bound, usage=usage)
        turn.retrieval_ms = turn.ms()
        return turn

    def _decide(self, turn: Turn, sources: list[Hit]) -> Decision:
        """文件未涉及, 文件没有直接写明 (`related`) or answer: `decide` on the clauses about the question's subject,
        then `unsaid` on the sources (another tier, an amount left vague)."""
        found = turn.found
        judged = judged_clauses(turn.standalone, found.subject[: self.config.sources], sources)
        best = max((h.dense_score for h in found.subject), default=0.0)
        decision = decide(turn.standalone, [f"{h.chunk.scope} {h.chunk.path_str}\n{h.chunk.said}" for h in judged],
                          best, self.threshold, self.grounds, found.coverage, [h.chunk.doc_id for h in judged],
                          found.weights, [own_words(h.chunk) for h in judged])
        if decision.refuse and not decision.related:
            return decision
        reason, clause = unsaid(turn.standalone, [h.chunk for h in sources], found.sentence_scores[: len(sources)],
                                [h.chunk for h in judged])
        return Decision(True, reason, True, clause.id) if clause else decision  # the more telling reason first

    def _fact_answer(self, turn: Turn, fact) -> Iterator[Event]:
        """A metadata question (文号, 责任部门, outline …) answered from the document's structure."""
        library = turn.found.library
        cites = [Citation(n, c, s, e, library.status(c.doc_id).label) for n, (c, s, e) in enumerate(fact.sources, start=1)]
        yield Sources(cites, turn.standalone, turn.retrieval_ms)
        yield Token(fact.text)
        turn.sources_ms = turn.retrieval_ms
        yield self._done(turn, fact.text, cites, REFUSED if fact.refused else METADATA, "facts", refused=fact.refused)

    def _evidence(self, turn: Turn, evidence: list[Hit]) -> tuple[list[Hit], list, list[str]]:
        """The sources, their sentence scores, and (with a model) the excerpts it reads: sources it does
        not see are not shown. Sentences are matched against the Chinese wording when the question was
        translated (a Chinese sentence is nearer a Chinese question than an English one)."""
        scores = turn.found.sentence_scores[: len(evidence)]  # the evidence is the first hits
        if self.model is None:
            return evidence, scores, []
        shown = select_excerpts(turn.found.wording, [h.chunk for h in evidence], scores, self.config.prompt_chars)
        return [evidence[i] for i, _ in shown], [scores[i] for i, _ in shown], [text for _, text in shown]

    def _generate(self, turn: Turn, chunks: list[Chunk], excerpts: list[str]) -> Iterator[Event]:
        """Stream the model's tokens; returns the whole generated text ("" with no model or when it fails)."""
        if self.model is None:
            return ""
        generated = ""
        messages = build_messages(turn.standalone, list(zip(chunks, excerpts)))
        try:
            for piece in self.model.stream(messages, max_tokens=self.config.max_tokens, usage=turn.usage):
                if turn.first_token_ms is None:
                    turn.first_token_ms = turn.ms()
                generated += piece
                yield Token(piece)
        except ModelUnavailable as e:
            turn.notes.append(f"模型不可用，已改为原文摘录：{e}")
            return ""
        return generated

    def _check(self, turn: Turn, generated: str, chunks: list[Chunk], scores: list, citations: list[Citation]
               ) -> Iterator[Event]:
        """Verify the generated answer and add 原文要点; returns (text, citations, status), or None when it fails."""
        text = generated.strip()
        if not text:
            return None
        if not self.config.verify:
            return text, citations, VERIFIED
        in_scope = [t for t in turn.pins  # 2020-2022年, (2020-04-10), issued 2023-09-13: not a claim to support
                    if not any(says(t, c.scope, self.grounds.issued.get(c.doc_id, "")) for c in chunks)]
        verdict = verify(text, [c.text for c in chunks], required=in_scope, labels=[c.label for c in chunks])
        turn.notes += verdict.notes
        kind = lacks_asked_kind(turn.standalone, verdict.text) if verdict.supported else ""
        if kind:
            turn.notes.append(f"回答中没有问题所问的{kind}")
        if not verdict.supported or kind:
            turn.notes.append("生成的回答未通过原文核验，已改为原文摘录")
            return None
        quoted = extractive.supplement(turn.standalone, verdict.text, chunks, scores, self.config.quotes)
        quotes = f"\n\n{QUOTES_HEAD}\n" + "\n".join(extractive.quote_lines(chunks, quoted)) if quoted else ""
        if quotes:
            yield Token(quotes)
        used = verdict.cited + [n for n in dict.fromkeys(ci + 1 for ci, _ in quoted) if n not in verdict.cited]
        text, cites = renumber(verdict.text + quotes, used, citations, turn.notes)
        return text, cites, PARTIAL if verdict.dropped else VERIFIED

    def _excerpts(self, turn: Turn, chunks: list[Chunk], scores: list, citations: list[Citation]
                  ) -> tuple[str, list[Citation], str] | None:
        """The sources' best sentences verbatim, only those about what the question pins and of the kind it
        asks; None when there are none."""
        pins = turn.pins

        def stated(chunk: Chunk, ui: int) -> set[str]:  # the pinned years a sentence, its scope or issue date states
            near, issued = extractive.neighbourhood(chunk, ui), self.grounds.issued.get(chunk.doc_id, "")
            return {t for t in pins if says(t, near, issued)}

        def usable(chunk: Chunk, ui: int) -> bool:  # about one of the pinned years (two versions: either)
            return (not pins or bool(stated(chunk, ui))) and not lacks_asked_kind(turn.standalone,
                                                                              extractive.quoted(chunk, ui))

        chosen = extractive.select(turn.standalone, chunks, scores, usable=usable)
        if (not chosen and chunks) or set(pins) - {t for ci, ui in chosen for t in stated(chunks[ci], ui)}:
            return None  # every pinned year quoted from
        text, cites = renumber(extractive.compose(chunks, chosen), sorted({ci + 1 for ci, _ in chosen}), citations)
        return text, cites, EXTRACTIVE

    def _not_stated(self, turn: Turn, sources: list[Hit], decision: Decision) -> Iterator[Event]:
        """文件没有直接写明…: the reason, then the best sentences of the clauses about the subject — first the one the
        reason quotes — quoted and cited as related; no model is asked to answer what the clauses do not say."""
        found, reason = turn.found, decision.reason
        sources, scores = quoting_first(found, sources, decision.clause)
        chunks, citations = [h.chunk for h in sources], cite(sources)
        near = [c for c in chunks if about(found.weights, own_words(c)) >= ABOUT or c.id == decision.clause]
        chosen = extractive.select(found.wording, chunks, scores,
                                   usable=lambda chunk, _: any(chunk is c for c in near or chunks[:1]))  # on the subject
        text, cites = renumber(not_stated_text(reason, "\n".join(extractive.quote_lines(chunks, chosen))),
                               sorted({ci + 1 for ci, _ in chosen}), citations)
        yield Sources(cites, turn.standalone, turn.retrieval_ms, notice(cites, turn.found.library))
        turn.sources_ms = turn.ms()
        yield Token(text)
        turn.notes.append(reason)
        yield self._done(turn, text, cites, NOT_STATED, "extractive")

    def _refuse(self, turn: Turn, reason: str, after_text: bool = False, sources_first: bool = False
                ) -> Iterator[Event]:
        """文件未涉及, naming the nearest clauses; the reason goes to the notes. `sources_first`: nothing was
        shown yet, so the (empty) sources come first, as in every stream."""
        if sources_first:
            yield Sources([], turn.standalone, turn.retrieval_ms)
            turn.sources_ms = turn.retrieval_ms
        text = refusal_text(reason, self._suggestions(turn))
        yield Token(("\n\n" if after_text else "") + text)
        turn.notes.append(reason)
        yield self._done(turn, text, [], REFUSED, self.backend, refused=True)

    def _done(self, turn: Turn, text: str, citations: list[Citation], verified: str, backend: str,
              refused: bool = False) -> Done:
        timings = {"retrieval_ms": turn.retrieval_ms, "sources_ms": turn.sources_ms,
                   "first_token_ms": turn.first_token_ms, "total_ms": turn.ms()}
        docs, library = list(dict.fromkeys(c.chunk.doc_id for c in citations)), turn.found.library
        return Done(Answer(question=turn.question, text=text, citations=citations, refused=refused, verified=verified,
                           backend=backend, standalone_question=turn.standalone, timings=timings, notes=list(turn.notes),
                           suggestions=self._suggestions(turn) if refused else [], hits=turn.hits,
                           notice="" if refused or verified == METADATA else notice(citations, library),
                           documents=[library.named(d) for d in docs] if len(docs) > 1 else [],
                           searched_as=list(turn.found.also), usage=turn.usage))

    def _suggestions(self, turn: Turn) -> list[str]:
        """The clauses nearest an unanswered question, to look at instead."""
        return suggestions(turn.hits, len(turn.found.library.documents) > 1)
