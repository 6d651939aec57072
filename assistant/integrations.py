"""Thin LangChain adapters, so LangChain users can plug our parts in; the core never imports LangChain.

Example::

    from assistant.integrations import PolicyEmbeddings, PolicyRetriever
    store = FAISS.from_texts(texts, PolicyEmbeddings(make_embedder(EmbedderConfig())))
    docs = PolicyRetriever(retriever=Retriever(index, embedder), k=5).invoke("生鲜电商有哪些支持？")
"""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from .embedding import Embedder
from .retrieve import Filters, Retriever


class PolicyEmbeddings(Embeddings):
    """Our embedder as a LangChain `Embeddings` (queries and documents keep their own prefixes)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


def hit_to_document(hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text, id=c.id,
        metadata={"source": c.source, "title": c.title, "doc_number": c.doc_number, "path": c.path_str,
                  "departments": list(c.departments), "start": c.start, "end": c.end, "score": hit.score},
    )


class PolicyRetriever(BaseRetriever):
    """Our hybrid retriever as a LangChain `BaseRetriever`; metadata carries clause path and departments."""

    retriever: Any
    k: int = 5
    department: str = ""
    section: str = ""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        r: Retriever = self.retriever
        hits = r.search(query, self.k, Filters(department=self.department, section=self.section))
        return [hit_to_document(h) for h in hits]
