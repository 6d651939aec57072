"""Vector stores: the interface every implementation keeps (`faiss_store.FaissStore`, `milvus.MilvusStore`;
`stores.make_store` makes one by name), its filters and the chunks' scalar fields.

A store keeps vectors under integer ids with the scalar fields of their chunk, so that a filter (document,
status, department, kind, issuer, region, year) runs inside the store: a Milvus filter expression,
a row mask for FAISS. Ids are sentence-unit rows, as in `index.VectorIndex`.

Example::

    store = stores.make_store(StoreConfig(kind="milvus", milvus_uri="index/milvus.db"), dim=384, owner="index")
    store.add(vectors, chunk_rows(chunks, documents))
    store.search(query, 10, StoreFilter(status=("现行有效",), years=(2020, 2024)))   # [(id, score), …]
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from assistant.ingest.library import Library
from assistant.records import Chunk

TEXT_FIELDS = ("doc_id", "status", "departments", "kind", "issuer", "region")
SEPARATOR = "|"  # between the lead departments of one chunk, in its `departments` field


@dataclass(frozen=True)
class StoreFilter:
    """What a search may return: every given condition must hold (an empty filter allows everything).

    `department`, `issuer` and `region` match as substrings, `kind` as a suffix (办法 matches 管理办法),
    `years` is an inclusive range of `Library.year` (version, issue or period year), `chunks` an explicit set of chunk rows.
    """

    docs: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    department: str = ""
    kind: str = ""
    issuer: str = ""
    region: str = ""
    years: tuple[int, int] | None = None
    chunks: tuple[int, ...] | None = None

    def __post_init__(self):
        for name in ("department", "kind", "issuer", "region"):
            value = getattr(self, name)
            if any(c in value for c in '%"\\' + SEPARATOR):
                raise ValueError(f"filter {name}={value!r} may not contain % \" \\ or {SEPARATOR}")
        for value in (*self.docs, *self.status):
            if any(c in value for c in '"\\'):
                raise ValueError(f"filter value {value!r} may not contain \" or \\")

    def __bool__(self) -> bool:
        return bool(self.docs or self.status or self.department or self.kind or self.issuer or self.region
                    or self.years is not None or self.chunks is not None)


@dataclass
class Rows:
    """Scalar fields of stored vectors, column-wise: each text field as codes into its own vocabulary.

    Codes keep a million rows small and let a filter test each distinct value once, then mask by code.
    """

    ids: np.ndarray  # int64
    chunk: np.ndarray  # int64, the chunk row each vector belongs to
    year: np.ndarray  # int32, 0 = unknown
    codes: dict[str, np.ndarray] = field(default_factory=dict)  # field → int32 codes
    vocab: dict[str, list[str]] = field(default_factory=dict)  # field → distinct values

    @classmethod
    def build(cls, ids: Sequence[int], chunk: Sequence[int], year: Sequence[int], **text: Sequence[str]) -> Rows:
        """Rows from plain columns; every text field of TEXT_FIELDS is required."""
        codes, vocab = {}, {}
        for name in TEXT_FIELDS:
            values, inverse = np.unique(np.asarray(text[name], dtype=object).astype(str), return_inverse=True)
            codes[name], vocab[name] = inverse.astype(np.int32).reshape(-1), [str(v) for v in values]
        return cls(np.asarray(ids, dtype=np.int64), np.asarray(chunk, dtype=np.int64),
                   np.asarray(year, dtype=np.int32), codes, vocab)

    def __len__(self) -> int:
        return len(self.ids)

    def value(self, name: str, i: int) -> str:
        return self.vocab[name][self.codes[name][i]]

    def slice(self, start: int, stop: int) -> Rows:
        return Rows(self.ids[start:stop], self.chunk[start:stop], self.year[start:stop],
                    {n: c[start:stop] for n, c in self.codes.items()}, self.vocab)

    def records(self) -> list[dict]:
        """One dict per row with every scalar field (what a Milvus insert takes)."""
        cols = {n: np.asarray(self.vocab[n], dtype=object)[self.codes[n]] for n in TEXT_FIELDS}
        return [{"id": int(self.ids[i]), "chunk": int(self.chunk[i]), "year": int(self.year[i]),
                 **{n: str(cols[n][i]) for n in TEXT_FIELDS}} for i in range(len(self))]

    def mask(self, where: StoreFilter) -> np.ndarray:
        """Which rows the filter allows (boolean, one per row)."""
        keep = np.ones(len(self), dtype=bool)
        tests = {"doc_id": (lambda v: v in where.docs) if where.docs else None,
                 "status": (lambda v: v in where.status) if where.status else None,
                 "departments": (lambda v: any(where.department in d for d in v.split(SEPARATOR)))
                 if where.department else None,
                 "kind": (lambda v: v.endswith(where.kind)) if where.kind else None,
                 "issuer": (lambda v: where.issuer in v) if where.issuer else None,
                 "region": (lambda v: where.region in v) if where.region else None}
        for name, test in tests.items():
            if test is not None:
                allowed = np.fromiter((test(v) for v in self.vocab[name]), dtype=bool, count=len(self.vocab[name]))
                keep &= allowed[self.codes[name]]
        if where.years is not None:
            keep &= (self.year >= where.years[0]) & (self.year <= where.years[1])
        if where.chunks is not None:
            keep &= np.isin(self.chunk, np.asarray(where.chunks, dtype=np.int64))
        return keep


def chunk_rows(chunks: Sequence[Chunk], documents: dict, today: date | None = None) -> Rows:
    """The scalar fields of every sentence unit of `chunks` (rows 0, 1, … as in VectorIndex).

    Status is the document's status on `today` (build time); a search that must follow the calendar
    passes its own allowed chunks instead.
    """
    library = Library(documents, today)
    per_doc: dict[str, tuple[str, str, str, str, int]] = {}
    for doc_id in {c.doc_id for c in chunks}:
        meta = library.meta(doc_id)
        year = library.year(doc_id)
        per_doc[doc_id] = (library.status(doc_id).label, str(meta.get("kind", "") or ""),
                           str(meta.get("issuer", "") or ""), str(meta.get("region", "") or ""),
                           int(year) if year else 0)
    counts = np.array([len(c.units) for c in chunks], dtype=np.int64)

    def column(values: list) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=object), counts) if len(values) else np.zeros(0, dtype=object)

    docs = [per_doc[c.doc_id] for c in chunks]
    return Rows.build(np.arange(int(counts.sum())), np.repeat(np.arange(len(chunks)), counts),
                      column([d[4] for d in docs]).astype(np.int64) if docs else np.zeros(0, np.int64),
                      doc_id=column([c.doc_id for c in chunks]), status=column([d[0] for d in docs]),
                      departments=column([SEPARATOR.join(c.departments) for c in chunks]),
                      kind=column([d[1] for d in docs]), issuer=column([d[2] for d in docs]),
                      region=column([d[3] for d in docs]))


class VectorStore(ABC):
    """Vectors under integer ids, with the scalar fields of `Rows`; scores are inner products."""

    dim: int
    max_fetch: int = 1 << 62  # the most hits one search may ask for

    @abstractmethod
    def add(self, vectors: np.ndarray, rows: Rows) -> None:
        """Store L2-normalised vectors under `rows.ids` with their scalar fields."""

    @abstractmethod
    def search(self, query: np.ndarray, k: int, where: StoreFilter | None = None) -> list[tuple[int, float]]:
        """The k best (id, score) pairs among the rows the filter allows, best first."""

    @abstractmethod
    def delete(self, docs: Collection[str]) -> int:
        """Remove every vector of these documents; returns how many were removed."""

    @abstractmethod
    def count(self) -> int:
        """How many vectors are stored (and not deleted)."""

    @abstractmethod
    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these ids, in the order given."""

    @abstractmethod
    def save(self, folder: Path) -> dict:
        """Make the stored state durable (files in `folder`, or the server's own storage); returns what the
        index manifest records to open it again (`stores.open_store`)."""

    def retire(self, keep: Collection[dict]) -> None:
        """Drop what older saves left outside the index folder, except the stores `keep` describes."""

    def close(self) -> None:
        """Release connections."""

