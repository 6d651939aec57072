"""Hybrid retrieval: dense (FAISS) and BM25 (jieba tokens) candidates, fused by reciprocal rank.

Example::

    retriever = Retriever(kb.load_or_build(), embedder)
    hits = retriever.search("生鲜电商的责任部门有哪些？", k=5)
    found = retriever.retrieve("生鲜电商的责任部门有哪些？", k=5)  # hits and what answering needs of them
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.asks import ASKS_COMMENCEMENT, ASKS_CONSEQUENCE, ASKS_DOCUMENT, ASKS_VERSIONS, YEAR, asked_kind
from assistant.config import IndexConfig, RetrievalConfig
from assistant.ingest.chunking import passage_chunks
from assistant.ingest.library import Library
from assistant.store.embedding import Embedder, embedder_from_manifest
from assistant.store.faiss_store import build_faiss
from assistant.store.index import VectorIndex
from assistant.store.index import load as load_index
from assistant.records import Chunk, Hit
from assistant.retrieval.bm25 import BM25, Titles
from assistant.retrieval.filters import Filters
from assistant.retrieval.fusion import question_parts, rrf
from assistant.retrieval.result import Retrieval
from assistant.retrieval.structure import Structure



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
        self.structure = Structure(index.chunks)
        self.library = Library(index.manifest.get("documents", {}), today)
        titles: dict[str, dict[str, None]] = {}
        for c in index.chunks:  # a document's own title, then its attachments' titles
            titles.setdefault(c.doc_id, {self.library.title(c.doc_id) or c.title: None})[c.title] = None
        self.titles = Titles({d: list(t) for d, t in titles.items()}, self.bm25.tokenizer)
        self._row = {c.id: i for i, c in enumerate(index.chunks)}
        self._query_vector = lru_cache(maxsize=256)(embedder.embed_query)
        stale = {d for d in self.library.documents if self.library.status(d).newer}
        self._superseded = {i for i, c in enumerate(index.chunks) if c.doc_id in stale}
        self._superseded_years = {self.library.version(d)[:4] for d in stale} - {""}
        versioned = {d for d in self.library.documents if len(self.library.versions(d)) > 1}
        self._version_year = {i: self.library.version(c.doc_id)[:4] for i, c in enumerate(index.chunks)
                              if c.doc_id in versioned}

    @property
    def chunks(self) -> list[Chunk]:
        """The indexed clauses, in row order."""
        return self.index.chunks

    @property
    def documents(self) -> dict:
        """What the index's manifest records of each document (title, version, status fields …), by id."""
        return self.index.manifest.get("documents", {})

    def tokens(self, text: str) -> list[str]:
        """The words BM25 reads in a text (jieba, with the library's own terms)."""
        return self.bm25.tokenizer.tokens(text)

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
            vecs = self.index.unit_vectors(row)
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

    def _follow_structure(self, query: str, fused: dict[int, float], usable) -> dict[int, float]:
        """Add the clauses the question needs beside the best ones.

        - A question about what follows from a rule: a penalty article names the duty it punishes by number
          only. A duty and a penalty linked so that are both candidates score as one answer, the sum of the
          two (a partner outside the candidates counts as the weakest one); the best `follow_links` clauses
          then bring their partners from outside the candidates, scoring `link_decay` times themselves.
        - A question asking which document governs a matter: the scope clause of the best documents.
        - A question asking when a document takes effect: the commencement clause of the best documents.
        """
        out = dict(fused)
        order = sorted(fused, key=lambda r: -fused[r])
        if ASKS_CONSEQUENCE.search(query) and fused:
            weakest = fused[order[-1]]  # what a partner outside the candidates counts for
            for row, score in fused.items():
                links = [r for r in self.structure.linked(row) if usable(r)]
                if links:
                    out[row] = score + max(fused.get(r, weakest) for r in links)
            for row in sorted(out, key=lambda r: -out[r])[: self.config.follow_links]:
                for r in self.structure.linked(row):
                    if usable(r) and r not in fused:
                        out[r] = max(out.get(r, 0.0), out[row] * self.config.link_decay)
        for asks, clause in ((ASKS_DOCUMENT, self.structure.scope_row),
                             (ASKS_COMMENCEMENT, self.structure.commencement_row)):
            if not asks.search(query):
                continue
            best: dict[str, float] = {}
            for r in order[: self.config.follow_links]:
                best.setdefault(self.index.chunks[r].doc_id, fused[r])
            for doc, score in best.items():
                row = clause(doc)
                if row is not None and usable(row):
                    out[row] = max(out.get(row, 0.0), score * self.config.link_decay)
        return out

    def _fuse(self, query: str, n: int, allowed: set[int] | None, skip: set[int], usable
              ) -> tuple[dict[int, float], list[tuple[int, float, int]], list[tuple[int, float]]]:
        """Fused scores of one question's dense, BM25 and structure candidates, with the first two lists."""
        extra = n if skip else 0
        dense = [d for d in self._dense(query, n + extra, allowed) if d[0] not in skip][:n]
        lexical = [x for x in self.bm25.search(query, n + extra, allowed) if x[0] not in skip][:n]
        structure = [r for r in self.structure.ranking(query) if usable(r)]
        fused = rrf([[r for r, _, _ in dense], [r for r, _ in lexical], structure[:n]],
                    [self.config.dense_weight, self.config.bm25_weight, self.config.structure_weight],
                    self.config.rrf_k)
        return self._follow_structure(query, self._prefer_named_documents(query, fused), usable), dense, lexical

    def _prefer_named_documents(self, query: str, fused: dict[int, float]) -> dict[int, float]:
        """The candidates' documents ranked by how well their titles match the question are one more ranking, each
        candidate scoring its document's place times how well its title matches beside the best one: a question
        naming a programme ("…贷款贴息按什么比例？") is answered from its own notice first, a title matching half as
        well counts half, and the clauses of one document keep their order and their distances."""
        titled = self.titles.scores(query) if self.config.title_weight else {}
        best: dict[str, float] = {}  # each titled document's best fused candidate breaks ties between titles
        for r, s in fused.items():
            doc = self.index.chunks[r].doc_id
            if doc in titled:
                best[doc] = max(best.get(doc, s), s)
        if not best:
            return fused
        place = {d: i for i, d in enumerate(sorted(best, key=lambda d: (-titled[d], -best[d])), start=1)}
        w, k, top = self.config.title_weight, self.config.rrf_k, max(titled[d] for d in best)
        bonus = {d: w * titled[d] / top / (k + i) for d, i in place.items()}
        return {r: s + bonus.get(self.index.chunks[r].doc_id, 0.0) for r, s in fused.items()}

    def _prefer_asked_kind(self, query: str, fused: dict[int, float]) -> dict[int, float]:
        """A question asking for a kind of fact (an amount, a period, a date …): the candidates that state one,
        in fused order, are one more ranking. It lifts "处五十元以上二百元以下罚款" above clauses on the same
        subject that state no amount, without letting any amount in the library in."""
        kind = asked_kind(query)
        if kind is None or not self.config.kind_weight or not fused:
            return fused
        stating = [r for r in sorted(fused, key=lambda r: -fused[r]) if kind.value.search(self._quotable(r))]
        bonus = rrf([stating], [self.config.kind_weight], self.config.rrf_k)
        return {r: s + bonus.get(r, 0.0) for r, s in fused.items()}

    def _quotable(self, row: int) -> str:
        """A clause's sentence units: its text less any sentence addressed to an AI, which states nothing."""
        c = self.index.chunks[row]
        return "\n".join(c.text[s:e] for s, e in c.units)

    def _prefer_named_versions(self, query: str, fused: dict[int, float]) -> dict[int, float]:
        """A question naming versions by their year ("2010年版和2024年版…") is answered from those versions
        first: their candidates move above the others, taking turns between the named years."""
        years = set(YEAR.findall(query))
        named = sorted((r for r in fused if self._version_year.get(r) in years), key=lambda r: -fused[r])
        if not named:
            return fused
        turns: dict[str, int] = {}  # rows of a year seen so far: the n-th of each year comes before the n+1-th
        keyed = []
        for i, r in enumerate(named):
            year = self._version_year[r]
            keyed.append((turns.get(year, 0), i, r))
            turns[year] = turns.get(year, 0) + 1
        order = [r for *_, r in sorted(keyed)]
        top = max(fused.values())
        out = dict(fused)
        for i, r in enumerate(order):
            out[r] = top * 2 + (len(order) - i) * 1e-9
        return out

    def search(self, query: str, k: int | None = None, filters: Filters = Filters(), also: Sequence[str] = (),
               prefer_kind: bool = True) -> list[Hit]:
        """The k best chunks by fused rank; each hit keeps the dense score and both ranks.

        `also`: other wordings of the same question (the Chinese translation of an English one), each searched
        like the question and fused with it. Superseded versions are left out unless the question asks about
        versions or a status filter is given. `prefer_kind=False` ranks by the question's subject alone, without
        lifting the clauses that state the kind of fact asked (the refusal judges coverage on that ranking).
        """
        return self._search(query, k, filters, also, (prefer_kind,), self._allowed(filters))[0]

    def retrieve(self, query: str, k: int | None = None, filters: Filters = Filters(), also: Sequence[str] = ()
                 ) -> Retrieval:
        """`search` and `search(prefer_kind=False)` from one pass over the indexes, with what the stages after
        retrieval need to know of them: the question's coverage by the corpus, the hits' sentence scores (against
        the Chinese wording: `also[0]` when given) and whether the filters match any clause."""
        allowed = self._allowed(filters)  # one pass over the chunks serves the search and whether anything matched
        lifted, subject = self._search(query, k, filters, also, (True, False), allowed)
        wording = also[0] if also else query
        return Retrieval(query, tuple(also), lifted, subject, self.bm25.coverage(query),
                         self.sentence_scores(wording, [h.chunk for h in lifted]), allowed is None or bool(allowed),
                         self.library, self.bm25.weights(wording))

    def _search(self, query: str, k: int | None, filters: Filters, also: Sequence[str], lifts: Sequence[bool],
                allowed: set[int] | None) -> list[list[Hit]]:
        """The hits of `search` for each value of prefer_kind in `lifts`, among the `allowed` rows (None: all);
        the indexes are searched once."""
        k = k or self.config.k
        n = max(self.config.candidates, k)
        wordings = [query, *also]
        # clauses already cited are searched whatever their status
        skip = set() if filters.status or filters.clauses or any(map(self.asks_versions, wordings)) else self._superseded
        usable = (lambda r: r not in skip) if allowed is None else (lambda r: r in allowed and r not in skip)
        asks = [p for w in wordings if len(split := question_parts(w)) > 1 for p in split]  # of a multi-part question
        queries = wordings + asks
        runs = [self._fuse(q, n, allowed, skip, usable) for q in queries]
        wholes, parts = runs[: len(wordings)], runs[len(wordings):]
        dense, lexical = runs[0][1], runs[0][2]
        if len(runs) > 1:
            # every run's dense candidates; a row's score is its best over the whole question's wordings, a
            # part's score only where no wording of the whole question found it
            merged = {r: (r, s, u) for _, d, _ in reversed(parts) for r, s, u in d}
            for r, s, u in sorted((x for _, d, _ in wholes for x in d), key=lambda x: x[1]):
                merged[r] = (r, s, u)
            dense = sorted(merged.values(), key=lambda x: -x[1])
        dense_rank = {r: i for i, (r, _, _) in enumerate(dense, start=1)}
        dense_best = {r: (s, u) for r, s, u in dense}
        bm25_rank = {r: i for i, (r, _) in enumerate(lexical, start=1)}
        out = []
        for lift in lifts:
            fuseds = [self._prefer_asked_kind(q, f) if lift else f for q, (f, _, _) in zip(queries, runs)]
            fused = fuseds[0] if len(fuseds) == 1 else rrf(
                [sorted(f, key=lambda r, f=f: -f[r])[:n] for f in fuseds], [1.0] * len(fuseds), self.config.rrf_k)
            fused = self._prefer_named_versions(query, fused)
            best = sorted(fused, key=lambda r: (-fused[r], dense_rank.get(r, n + 1)))[:k]
            out.append([Hit(self.index.chunks[r], fused[r], dense_rank.get(r, 0), bm25_rank.get(r, 0),
                            *dense_best.get(r, (0.0, -1)), status=self.library.status(self.index.chunks[r].doc_id).label)
                        for r in best])
        return out
