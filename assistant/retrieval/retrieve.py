"""Hybrid retrieval: dense (FAISS) and BM25 (jieba tokens) candidates, fused by reciprocal rank.

Example::

    retriever = Retriever(kb.load_or_build(), embedder)
    hits = retriever.search("生鲜电商的责任部门有哪些？", k=5)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from assistant.config import IndexConfig, RetrievalConfig
from assistant.ingest.chunking import passage_chunks
from assistant.store.embedding import Embedder, embedder_from_manifest
from assistant.store.index import VectorIndex, build_faiss
from assistant.store.index import load as load_index
from assistant.records import Chunk, Hit
from assistant.normalize import normalize
from assistant.patterns import bare_heading
from assistant.retrieval.tokenization import Tokenizer, domain_terms


@dataclass(frozen=True)
class Filters:
    """Restrict a search to documents, a lead department, or a section (matched against the clause path)."""

    docs: tuple[str, ...] = ()
    department: str = ""
    section: str = ""

    def allows(self, chunk: Chunk) -> bool:
        return (
            (not self.docs or chunk.doc_id in self.docs or chunk.source in self.docs)
            and (not self.department or any(self.department in d for d in chunk.departments))
            and (not self.section or any(self.section in p for p in chunk.path))
        )

    def __bool__(self) -> bool:
        return bool(self.docs or self.department or self.section)


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: score(d) = Σ w / (k + rank), rank starting at 1."""
    scores: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + w / (k + rank)
    return scores


class BM25:
    """BM25 over jieba tokens of each chunk's indexed text (heading path included)."""

    def __init__(self, chunks: Sequence[Chunk]):
        self.tokenizer = Tokenizer(domain_terms(chunks))
        corpus = [self.tokenizer.tokens(c.indexed_text) or ["∅"] for c in chunks]
        self._n = len(corpus)
        self._bm25 = bm25s.BM25()
        if self._n:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query."""
        tokens = [t for t in self.tokenizer.tokens(query) if t in self._bm25.vocab_dict] if self._n else []
        if not tokens:
            return np.zeros(self._n, dtype=np.float32)
        return self._bm25.get_scores(tokens)

    def coverage(self, query: str) -> tuple[int, int]:
        """(content words of the query, how many of them occur anywhere in the corpus)."""
        words = {t for t in self.tokenizer.tokens(query) if len(t) >= 2}
        return len(words), sum(1 for t in words if t in self._bm25.vocab_dict) if self._n else 0

    def search(self, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")
        out = [(int(i), float(scores[i])) for i in order if scores[i] > 0 and (allowed is None or i in allowed)]
        return out[:k]


def structure_ranking(query: str, chunks: Sequence[Chunk]) -> list[int]:
    """Rows whose 责任部门 or heading the query names, lead departments first; [] when it names none.

    Departments and headings are fields of the chunk, not just words in it: "市教委负责哪些事项" should
    reach every item the 市教委 leads even where the body text never repeats the name.
    """
    q = normalize(query)
    named_depts = {d for c in chunks for d in c.departments if len(d) >= 3 and normalize(d) in q}
    named_heads = {p for c in chunks for p in c.path if len(bare_heading(p)) >= 4 and normalize(bare_heading(p)) in q}
    scored = []
    for row, c in enumerate(chunks):
        positions = [c.departments.index(d) for d in named_depts if d in c.departments]
        if positions or any(p in named_heads for p in c.path):
            scored.append((-len(positions), min(positions, default=99), row))
    return [row for *_, row in sorted(scored)]


class Retriever:
    """Dense + BM25 search over one loaded index, plus the structure (departments, headings) the query names.

    Example: ``Retriever.from_index("index/").search("生鲜电商有哪些支持措施？", k=5)``
    """

    def __init__(self, index: VectorIndex, embedder: Embedder, config: RetrievalConfig = RetrievalConfig()):
        self.index = index
        self.embedder = embedder
        self.config = config
        self.bm25 = BM25(index.chunks)
        self._row = {c.id: i for i, c in enumerate(index.chunks)}
        self._query_vector = lru_cache(maxsize=256)(embedder.embed_query)

    @classmethod
    def from_index(cls, directory: str | Path, config: RetrievalConfig = RetrievalConfig()) -> Retriever:
        """A retriever over a built index, with the embedder its manifest names."""
        index = load_index(Path(directory))
        return cls(index, embedder_from_manifest(index.manifest), config)

    @classmethod
    def from_passages(cls, passages: Sequence[str], embedder: Embedder, config: RetrievalConfig = RetrievalConfig()
                      ) -> Retriever:
        """A retriever over loose passages held in memory (a benchmark's retrieved texts)."""
        chunks = passage_chunks(list(passages))
        vectors = embedder.embed_passages([t for c in chunks for t in c.unit_texts()])
        return cls(VectorIndex(chunks, build_faiss(vectors, IndexConfig()), {"documents": {}}), embedder, config)

    def sentence_scores(self, query: str, chunks: Sequence[Chunk]) -> list[np.ndarray]:
        """Similarity of the query to every sentence unit of each given (indexed) chunk."""
        q = self._query_vector(query)
        out = []
        for c in chunks:
            row = self._row[c.id]
            vecs = self.index.faiss_index.reconstruct_n(int(self.index.first_unit[row]), len(c.units))
            out.append(vecs @ q)
        return out

    def dense(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float, int]]:
        """(chunk row, best sentence score, best sentence index), best first."""
        allowed = self._allowed(filters)
        return self.index.search(self._query_vector(query), k, None if allowed is None else sorted(allowed))

    def lexical(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        return self.bm25.search(query, k, self._allowed(filters))

    def _allowed(self, filters: Filters) -> set[int] | None:
        if not filters:
            return None
        return {i for i, c in enumerate(self.index.chunks) if filters.allows(c)}

    def search(self, query: str, k: int | None = None, filters: Filters = Filters()) -> list[Hit]:
        """The k best chunks by fused rank; each hit keeps the dense score and both ranks."""
        k = k or self.config.k
        n = max(self.config.candidates, k)
        dense = self.dense(query, n, filters)
        lexical = self.lexical(query, n, filters)
        allowed = self._allowed(filters)
        structure = [r for r in structure_ranking(query, self.index.chunks) if allowed is None or r in allowed]
        fused = rrf([[r for r, _, _ in dense], [r for r, _ in lexical], structure[:n]],
                    [self.config.dense_weight, self.config.bm25_weight, self.config.structure_weight],
                    self.config.rrf_k)
        dense_rank = {r: i for i, (r, _, _) in enumerate(dense, start=1)}
        dense_best = {r: (s, u) for r, s, u in dense}
        bm25_rank = {r: i for i, (r, _) in enumerate(lexical, start=1)}
        best = sorted(fused, key=lambda r: (-fused[r], dense_rank.get(r, n + 1)))[:k]
        return [Hit(self.index.chunks[r], fused[r], dense_rank.get(r, 0), bm25_rank.get(r, 0),
                    *dense_best.get(r, (0.0, -1))) for r in best]
