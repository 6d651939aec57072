"""Hybrid retrieval: dense (FAISS) and BM25 (jieba tokens) candidates, fused by reciprocal rank.

Example::

    retriever = Retriever(kb.load_or_build(), embedder)
    hits = retriever.search("生鲜电商的责任部门有哪些？", k=5)
"""
from __future__ import annotations

from collections.abc import Sequence
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from assistant.config import IndexConfig, RetrievalConfig
from assistant.ingest.chunking import passage_chunks
from assistant.ingest.library import Library
from assistant.store.embedding import Embedder, embedder_from_manifest
from assistant.store.index import VectorIndex, build_faiss
from assistant.store.index import load as load_index
from assistant.records import Chunk, Hit
from assistant.normalize import normalize
from assistant.patterns import bare_heading
from assistant.retrieval.tokenization import Tokenizer, domain_terms


# A question about versions ("旧版", "2020年版", "新旧版本有什么变化") may use superseded versions.
ASKS_VERSIONS = re.compile(r"旧版|老版|原版|以前的版本|之前的版本|原来的|修改前|修订前|修正前|历史版本|新旧|哪个版本|"
                           r"哪一版|版本|(?:19|20)\d{2}\s*年版|修改了|修订了|有什么变化|有何变化")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class Filters:
    """Restrict a search: by document (id or file name), lead department, section (matched against the clause
    path), issuing body, kind (条例, 办法 …), region, status (现行有效, 已被新版本取代 …) or a range of version
    years. A filter that matches nothing gives no hits (never all documents)."""

    docs: tuple[str, ...] = ()
    department: str = ""
    section: str = ""
    issuer: str = ""
    kind: str = ""
    region: str = ""
    status: tuple[str, ...] = ()
    years: tuple[int, int] | None = None

    def allows(self, chunk: Chunk) -> bool:
        return (
            (not self.docs or chunk.doc_id in self.docs or chunk.source in self.docs)
            and (not self.department or any(self.department in d for d in chunk.departments))
            and (not self.section or any(self.section in p for p in chunk.path))
        )

    def allows_document(self, doc_id: str, library: Library) -> bool:
        meta, status = library.meta(doc_id), library.status(doc_id)
        year = (library.version(doc_id) or str(meta.get("issued", "") or ""))[:4]
        return (
            (not self.issuer or self.issuer in str(meta.get("issuer", "") or ""))
            and (not self.kind or str(meta.get("kind", "") or "").endswith(self.kind))
            and (not self.region or self.region in str(meta.get("region", "") or ""))
            and (not self.status or status.label in self.status or status.code in self.status)
            and (self.years is None or (year.isdigit() and self.years[0] <= int(year) <= self.years[1]))
        )

    def __bool__(self) -> bool:
        return bool(self.docs or self.department or self.section or self.issuer or self.kind or self.region
                    or self.status or self.years)


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

    def __init__(self, index: VectorIndex, embedder: Embedder, config: RetrievalConfig = RetrievalConfig(),
                 today: date | None = None):
        self.index = index
        self.embedder = embedder
        self.config = config
        self.bm25 = BM25(index.chunks)
        self.library = Library(index.manifest.get("documents", {}), today)
        self._row = {c.id: i for i, c in enumerate(index.chunks)}
        self._query_vector = lru_cache(maxsize=256)(embedder.embed_query)
        stale = {d for d in self.library.documents if self.library.status(d).newer}
        self._superseded = {i for i, c in enumerate(index.chunks) if c.doc_id in stale}
        self._superseded_years = {self.library.version(d)[:4] for d in stale} - {""}

    def asks_versions(self, query: str) -> bool:
        """Does the question ask about versions, or name the year of a superseded one?"""
        return bool(ASKS_VERSIONS.search(query)) or bool(set(YEAR.findall(query)) & self._superseded_years)

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
        return self._dense(query, k, self._allowed(filters))

    def lexical(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        return self.bm25.search(query, k, self._allowed(filters))

    def _dense(self, query: str, k: int, allowed: set[int] | None) -> list[tuple[int, float, int]]:
        return self.index.search(self._query_vector(query), k, None if allowed is None else sorted(allowed))

    def _allowed(self, filters: Filters) -> set[int] | None:
        if not filters:
            return None
        docs = {d for d in self.library.documents if filters.allows_document(d, self.library)}
        return {i for i, c in enumerate(self.index.chunks) if c.doc_id in docs and filters.allows(c)}

    def matches_any(self, filters: Filters) -> bool:
        """Whether any clause passes the filters (a filter that matches nothing must say so)."""
        allowed = self._allowed(filters)
        return allowed is None or bool(allowed)

    def search(self, query: str, k: int | None = None, filters: Filters = Filters()) -> list[Hit]:
        """The k best chunks by fused rank; each hit keeps the dense score and both ranks.

        Superseded versions are left out unless the question asks about versions or a status filter is given.
        """
        k = k or self.config.k
        n = max(self.config.candidates, k)
        skip = set() if filters.status or self.asks_versions(query) else self._superseded
        extra = n if skip else 0
        allowed = self._allowed(filters)  # one pass over the chunks for all three rankings
        dense = [d for d in self._dense(query, n + extra, allowed) if d[0] not in skip][:n]
        lexical = [x for x in self.bm25.search(query, n + extra, allowed) if x[0] not in skip][:n]
        structure = [r for r in structure_ranking(query, self.index.chunks)
                     if (allowed is None or r in allowed) and r not in skip]
        fused = rrf([[r for r, _, _ in dense], [r for r, _ in lexical], structure[:n]],
                    [self.config.dense_weight, self.config.bm25_weight, self.config.structure_weight],
                    self.config.rrf_k)
        dense_rank = {r: i for i, (r, _, _) in enumerate(dense, start=1)}
        dense_best = {r: (s, u) for r, s, u in dense}
        bm25_rank = {r: i for i, (r, _) in enumerate(lexical, start=1)}
        best = sorted(fused, key=lambda r: (-fused[r], dense_rank.get(r, n + 1)))[:k]
        return [Hit(self.index.chunks[r], fused[r], dense_rank.get(r, 0), bm25_rank.get(r, 0),
                    *dense_best.get(r, (0.0, -1)), status=self.library.status(self.index.chunks[r].doc_id).label)
                for r in best]
