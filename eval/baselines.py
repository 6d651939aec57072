"""Baselines run beside our assistant: BM25 only, dense only, and the naive LangChain pipeline a user builds first.

The naive pipeline is RecursiveCharacterTextSplitter 500/50 + our embedder + LangChain FAISS; when answering it
gives the same chat model the top-4 chunks in a plain prompt, with no verification and no refusal logic.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.ingest.documents import load_corpus
from assistant.store.embedding import Embedder
from assistant.answering.llm import ChatModel
from assistant.retrieval.retrieve import Retriever
from assistant.answering.verify import REFUSAL_PHRASES

from .questions import Question
from .run import Search, System, answer_fields, chunk_source, retrieval_fields, retrieval_system

NAIVE_CONTEXT = 4
NAIVE_PROMPT = "根据以下资料回答问题。\n\n资料：\n{context}\n\n问题：{question}\n回答："
# How we tell that a pipeline without refusal logic declined to answer (measurement only, not behaviour).
# The answer layer's refusal phrases, plus two a free-form answer uses; searched in the whole text.
REFUSAL_WORDS = (*REFUSAL_PHRASES, "没有找到", "未找到")


def lexical_search(retriever: Retriever) -> Search:
    """BM25 alone, over the same chunks as ours."""
    chunks = retriever.index.chunks
    return lambda q, k: [chunk_source(chunks[r], s) for r, s in retriever.lexical(q, k)]


def dense_search(retriever: Retriever) -> Search:
    """Dense (sentence-vector) search alone, over the same chunks as ours."""
    chunks = retriever.index.chunks
    return lambda q, k: [chunk_source(chunks[r], s) for r, s, _ in retriever.dense(q, k)]


def naive_store(corpus: Path, embedder: Embedder, library: Sequence[Path] = (), cache: Path | None = None):
    """The LangChain FAISS store over the corpus (and library folders) split 500/50, built in memory; with `cache`,
    the vectors are kept in that .npy file (beside a hash of the texts) for the next run."""
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.integrations import PolicyEmbeddings

    docs, _ = load_corpus(corpus, *library)
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    texts, metas = [], []
    for d in docs:
        for t in splitter.split_text(d.text):
            texts.append(t)
            metas.append({"source": d.source})
    if cache is None:
        return FAISS.from_texts(texts, PolicyEmbeddings(embedder), metadatas=metas)
    vectors = cached_vectors(embedder, texts, cache)
    return FAISS.from_embeddings([(t, v.tolist()) for t, v in zip(texts, vectors)], PolicyEmbeddings(embedder),
                                 metadatas=metas)


def cached_vectors(embedder: Embedder, texts: list[str], path: Path) -> np.ndarray:
    """Passage vectors of the texts, kept on disk beside a hash of the texts and the embedder's name."""
    digest = hashlib.sha256(json.dumps([embedder.name, texts], ensure_ascii=False).encode()).hexdigest()
    stamp = path.with_suffix(".sha256")
    if path.exists() and stamp.exists() and stamp.read_text() == digest:
        return np.load(path)
    vectors = embedder.embed_passages(texts, progress=True)
    np.save(path, vectors)
    stamp.write_text(digest)
    return vectors


def naive_search(store) -> Search:
    """Similarity search in the naive store."""
    return lambda q, k: [{"id": "", "text": d.page_content, "path": "", "source": d.metadata.get("source", ""),
                          "score": round(float(s), 6)} for d, s in store.similarity_search_with_score(q, k=k)]


def looks_refused(text: str) -> bool:
    """Whether a free-text answer declines to answer."""
    return any(w in text for w in REFUSAL_WORDS)


def naive_answer(model: ChatModel, question: str, contexts: Sequence[str]) -> tuple[str, float | None]:
    """The model's reply to the plain prompt, and the time to its first piece in ms."""
    context = "\n\n".join(contexts)
    messages = [{"role": "user", "content": NAIVE_PROMPT.format(context=context, question=question)}]
    t0, first, pieces = time.perf_counter(), None, []
    for piece in model.stream(messages):
        if first is None:
            first = (time.perf_counter() - t0) * 1000
        pieces.append(piece)
    return "".join(pieces).strip(), first


def naive_system(store, model: ChatModel | None, k: int) -> System:
    """The naive pipeline: retrieval metrics on its top-k; with a model, an answer from its top-4."""
    search = naive_search(store)

    def system(q: Question) -> dict:
        t0 = time.perf_counter()
        sources = search(q.question, k)
        sources_ms = (time.perf_counter() - t0) * 1000
        record = retrieval_fields(q, sources, sources_ms)
        if model is None:
            return record
        contexts = [s["text"] for s in sources[:NAIVE_CONTEXT]]
        text, first = naive_answer(model, q.question, contexts)
        total = (time.perf_counter() - t0) * 1000
        refused = looks_refused(text)
        record["answer"] = {"text": text, "refused": refused, "verified": "unverified", "backend": model.name,
                            "citations": [],
                            "timings": {"retrieval_ms": round(sources_ms, 1), "sources_ms": round(sources_ms, 1),
                                        "first_token_ms": None if first is None else round(first + sources_ms, 1),
                                        "total_ms": round(total, 1)},
                            "notes": []}
        # No citations: numbers are checked against everything the model was given.
        record.update(answer_fields(q, text, refused, [], contexts))
        return record
    return system


def baseline_systems(retriever: Retriever, corpus: Path, model: ChatModel | None, k: int,
                     library: Sequence[Path] = ()) -> dict[str, System]:
    """BM25-only, dense-only and naive LangChain, by name; only the naive one answers (when a model is given)."""
    return {"bm25": retrieval_system(lexical_search(retriever), k),
            # a Retriever of its own: a query-vector cache warmed by ours would flatter its latency
            "dense": retrieval_system(dense_search(Retriever(retriever.index, retriever.embedder, retriever.config)), k),
            "naive-langchain": naive_system(naive_store(corpus, retriever.embedder, library), model, k)}

