"""The one loaded library that every front end (web app, HTTP API) shares, and the JSON shapes they answer in."""
from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant import instructions
from assistant.answering.answer import Assistant
from assistant.answering.events import Done, Event, Sources, Token
from assistant.answering.followup import is_followup
from assistant.errors import AssistantError, ModelUnavailable
from assistant.limits import check_question
from assistant.matching.matcher import Matcher
from assistant.records import STATUS_LABELS, Answer, Citation
from assistant.retrieval.retrieve import Filters, Retriever
from assistant.serving.eligibility import chat_answer
from assistant.serving.wiring import build_assistant, knowledge_base
from assistant.store import index as store
from assistant.store.knowledge import KnowledgeBase, Progress, SyncReport, silent


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """One index's assistant and matcher; requests take one and keep it, so a swap never mixes indexes."""

    assistant: Assistant
    matcher: Matcher


class Service:
    """The one Assistant all sessions share; adding or removing a document swaps in a new one under a lock,
    and an index saved by another process (`python -m assistant add`) is picked up on the next request."""

    def __init__(self, kb: KnowledgeBase, assistant: Assistant):
        self.kb = dataclasses.replace(kb, embedder=assistant.retriever.embedder)  # one embedder, loaded once
        self._current = Snapshot(assistant, Matcher(assistant.retriever))
        self._write = threading.Lock()
        self._seen = self._manifest_stamp()

    @property
    def current(self) -> Snapshot:
        """The snapshot of the newest saved index (reloaded when the manifest on disk has changed)."""
        stamp = self._manifest_stamp()
        if stamp != self._seen and self._write.acquire(blocking=False):  # a local write swaps by itself
            try:
                stamp = self._manifest_stamp()
                if stamp != self._seen:
                    self._seen = stamp
                    self._swap(self.kb.load())
            except AssistantError as e:  # keep answering from the index we have
                print(f"警告：未能载入新的索引（{e}），继续使用当前索引", file=sys.stderr, flush=True)
            finally:
                self._write.release()
        return self._current

    def documents(self) -> dict:
        return self.current.assistant.retriever.documents

    def add(self, path: Path, on_progress: Progress = silent) -> SyncReport:
        """Index one file and answer from the new index; `on_progress` hears the knowledge base's stages, then
        载入新索引."""
        with self._write:
            index, report = self.kb.add(path, progress=True, on_progress=on_progress)
            on_progress("载入新索引", 0, 1)
            self._swap(index)
            self._seen = self._manifest_stamp()
        return report

    def remove(self, doc_id: str) -> SyncReport:
        with self._write:
            index, report = self.kb.remove(doc_id)
            self._swap(index)
            self._seen = self._manifest_stamp()
        return report

    def _swap(self, index) -> None:
        old = self._current.assistant
        assistant = Assistant(Retriever(index, self.kb.embedder, old.retriever.config), old.model, old.config)
        self._current = Snapshot(assistant, Matcher(assistant.retriever))

    def _manifest_stamp(self) -> tuple[int, int]:
        try:
            st = os.stat(self.kb.index_dir / store.MANIFEST)
        except OSError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_ino)  # os.replace gives the new manifest a new inode


def stream(assistant: Assistant, question: str, history: Sequence[Answer] | None = None,
           filters: Filters = Filters()) -> Iterator[Event]:
    """Assistant.stream for a checked question (limits.check_question raises InvalidInput); an answer that
    repeats instruction-like text of its sources gets instructions.NOTE."""
    question = check_question(question)
    checked = chat_answer(assistant.retriever, question, filters) if not history else None  # "我们公司…能申请…吗"
    if checked is not None:
        yield Sources(checked.citations, question, 0.0)
        yield Token(checked.text)
        yield Done(checked)
        return
    for event in assistant.stream(question, answered(assistant, question, history or [], filters), filters):
        if isinstance(event, Done):
            instructions.mark(event.answer)
        yield event


def answered(assistant: Assistant, question: str, history: Sequence[Answer], filters: Filters = Filters()
             ) -> list[Answer]:
    """The history with its last turn answered when only its question is known (the API is sent the earlier
    questions, not what was cited for them) and the question follows up on it: that turn is asked again, in its own
    context, so that "这些措施…" refers to the same clauses as in the web chat. It is answered by quoting (no chat
    model): only its citations are needed, and generating the earlier answer again would double the follow-up's time."""
    history = list(history)
    if not history or history[-1].verified or not is_followup(question):  # verified "": asked, never answered here
        return history
    quoting = copy.copy(assistant)
    quoting.model = None
    earlier = answered(quoting, history[-1].question, history[:-1], filters)
    return earlier + [quoting.ask(history[-1].question, earlier, filters)]


def ask(assistant: Assistant, question: str, history: Sequence[Answer] | None = None,
        filters: Filters = Filters()) -> Answer:
    """The final answer of `stream`."""
    return next(e.answer for e in stream(assistant, question, history, filters) if isinstance(e, Done))


def start(args: argparse.Namespace) -> Service:
    """Index (built on first run, with progress), models loaded once, one shared Service."""
    print(f"政策问答助手：加载知识库 {args.corpus} → 索引 {args.index}（首次运行会建立索引）…", flush=True)
    assistant = build_assistant(args, progress=True)
    retriever = assistant.retriever
    print(f"索引就绪：{len(retriever.documents)} 个文件，{len(retriever.chunks)} 段。", flush=True)
    assistant.retriever.embedder.embed_query("预热")  # load the embedding model now, not on the first question
    if assistant.model is not None and not args.no_warmup:
        print(f"加载大模型 {assistant.backend}（首次约 20 秒）…", flush=True)
        try:
            assistant.model.complete([{"role": "user", "content": "你好"}], max_tokens=1)
        except ModelUnavailable as e:
            print(f"警告：大模型不可用，回答将改为原文摘录：{e}", file=sys.stderr, flush=True)
    return Service(knowledge_base(args), assistant)


def citation_json(c: Citation) -> dict:
    """Citation.to_json with "path" renamed "clause": gradio_client takes any dict with a "path" for a file."""
    d = c.to_json()
    d["clause"] = d.pop("path")
    return d


def answer_json(answer: Answer) -> dict:
    """Answer.to_json (citations as in `citation_json`) plus the status label users see."""
    return {**answer.to_json(), "citations": [citation_json(c) for c in answer.citations],
            "status": STATUS_LABELS[answer.verified]}
