"""Thin LangChain adapters, so LangChain users can plug our parts in; the core never imports LangChain.

Example::

    from assistant.integrations import PolicyEmbeddings, PolicyRetriever
    retriever = PolicyRetriever.from_index("index/", k=5)
    docs = retriever.invoke("生鲜电商有哪些支持？")
    store = FAISS.from_texts(texts, PolicyEmbeddings(retriever.retriever.embedder))
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from assistant.store.embedding import Embedder
from assistant.records import Hit
from assistant.retrieval.retrieve import Filters, Retriever


class PolicyEmbeddings(Embeddings):
    """Our embedder as a LangChain `Embeddings` (queries and documents keep their own prefixes)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


def hit_to_document(hit: Hit) -> LCDocument:
    """A hit as a LangChain document: the clause text, with the hit's JSON fields as metadata."""
    meta = hit.to_json()
    return LCDocument(page_content=meta.pop("text"), id=meta.pop("id"), metadata=meta)


class PolicyRetriever(BaseRetriever):
    """Our hybrid retriever as a LangChain `BaseRetriever`; metadata carries clause path and departments."""

    retriever: Any
    k: int = 5
    department: str = ""
    section: str = ""

    @classmethod
    def from_index(cls, directory: str | Path, k: int = 5, department: str = "", section: str = "") -> PolicyRetriever:
        """Our retriever over a built index (embedder from its manifest), ready for an LCEL chain."""
        return cls(retriever=Retriever.from_index(directory), k=k, department=department, section=section)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        r: Retriever = self.retriever
        hits = r.search(query, self.k, Filters(department=self.department, section=self.section))
        return [hit_to_document(h) for h in hits]
