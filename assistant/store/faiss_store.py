"""FAISS as a vector store: an in-process inner-product index whose ids are its row positions.

A save writes `index.faiss` (and `deleted.npy` when rows were deleted) into the index's data folder.
The only module that imports faiss.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import faiss
import numpy as np

from assistant.config import IndexConfig
from assistant.store.vectorstore import TEXT_FIELDS, Rows, StoreFilter, VectorStore


class FaissStore(VectorStore):
    """A FAISS inner-product index whose ids are its row positions; deleted rows are masked, not removed
    (so ids stay stable), and filters become an id bitmap.

    Example::

        store = FaissStore.empty(384, IndexConfig(kind="hnsw"))
        store.add(vectors, rows)
        store.search(q, 10, StoreFilter(status=("现行有效",)))
    """

    def __init__(self, index: faiss.Index | None, rows: Rows | Callable[[], Rows] | None = None,
                 config: IndexConfig = IndexConfig(), dim: int = 0):
        self.index = index
        self.config = config
        self.dim = index.d if index is not None else dim
        self._rows = rows  # a callable is called on the first filtered search (loading stays cheap)
        self.deleted = np.zeros(index.ntotal if index is not None else 0, dtype=bool)

    @classmethod
    def empty(cls, dim: int, config: IndexConfig = IndexConfig()) -> FaissStore:
        """A store the first `add` builds (an IVF index is trained on that first batch)."""
        return cls(None, None, config, dim)

    @property
    def rows(self) -> Rows | None:
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    def add(self, vectors: np.ndarray, rows: Rows) -> None:
        start = self.index.ntotal if self.index is not None else 0
        if not np.array_equal(rows.ids, np.arange(start, start + len(rows))):
            raise ValueError(f"FAISS rows are positions: ids must run {start}…{start + len(rows) - 1}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.index is None:
            self.index = build_faiss(vectors, self.config)
            self._rows = rows
        else:
            self.index.add(vectors)
            old = self.rows
            self._rows = rows if old is None or len(old) == 0 else _concat(old, rows)
        self.deleted = np.concatenate([self.deleted, np.zeros(len(rows), dtype=bool)])

    def search(self, query: np.ndarray, k: int, where: StoreFilter | None = None) -> list[tuple[int, float]]:
        total = self.index.ntotal if self.index is not None else 0
        if total == 0 or k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        mask = self.rows.mask(where) if where else None
        if self.deleted.any():
            mask = ~self.deleted if mask is None else mask & ~self.deleted
        params = None
        if mask is not None:
            allowed = int(mask.sum())
            if allowed == 0:
                return []
            bits = np.packbits(mask, bitorder="little")
            sel = faiss.IDSelectorBitmap(total, faiss.swig_ptr(bits))
            if isinstance(self.index, faiss.IndexIVF):
                # see as many allowed vectors as an unfiltered search sees; a narrow filter probes every list
                nprobe = min(self.index.nlist, math.ceil(self.index.nprobe * total / allowed))
                params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
            else:
                params = faiss.SearchParameters(sel=sel)
            k = min(k, allowed)
        scores, ids = self.index.search(q, min(k, total), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def delete(self, docs: Collection[str]) -> int:
        rows = self.rows
        if rows is None or not docs:
            return 0
        hit = rows.mask(StoreFilter(docs=tuple(docs))) & ~self.deleted
        self.deleted |= hit
        return int(hit.sum())

    def count(self) -> int:
        return (self.index.ntotal if self.index is not None else 0) - int(self.deleted.sum())

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        ids = np.asarray(list(ids) if not isinstance(ids, range) else ids, dtype=np.int64)
        if len(ids) == 0 or self.index is None:
            return np.zeros((0, self.dim), dtype=np.float32)
        if np.array_equal(ids, np.arange(ids[0], ids[0] + len(ids))):
            return self.index.reconstruct_n(int(ids[0]), len(ids))
        return np.stack([self.index.reconstruct(int(i)) for i in ids])

    def save(self, folder: Path) -> dict:
        index = self.index if self.index is not None else faiss.IndexFlatIP(self.dim)
        faiss.write_index(index, str(folder / "index.faiss"))
        if self.deleted.any():
            np.save(folder / "deleted.npy", np.flatnonzero(self.deleted))
        return {"kind": "faiss"}

    @classmethod
    def open(cls, folder: Path, rows: Rows | Callable[[], Rows] | None = None) -> FaissStore:
        """The store `save` wrote into `folder`."""
        store = cls(faiss.read_index(str(folder / "index.faiss")), rows)
        if (folder / "deleted.npy").exists():
            store.deleted[np.load(folder / "deleted.npy")] = True
        return store


def _concat(a: Rows, b: Rows) -> Rows:
    """Rows of `a` then `b`, with merged vocabularies."""
    text = {n: [*(a.vocab[n][i] for i in a.codes[n]), *(b.vocab[n][i] for i in b.codes[n])] for n in TEXT_FIELDS}
    return Rows.build(np.concatenate([a.ids, b.ids]), np.concatenate([a.chunk, b.chunk]),
                      np.concatenate([a.year, b.year]), **text)


def build_faiss(vectors: np.ndarray, config: IndexConfig) -> faiss.Index:
    """An inner-product index over L2-normalised vectors (cosine similarity)."""
    n, dim = vectors.shape
    if config.kind == "flat" or n == 0:
        index = faiss.IndexFlatIP(dim)
    elif config.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    else:
        nlist = config.ivf_nlist or max(1, min(n // 39, int(4 * math.sqrt(n))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = max(1, nlist // 8)
        index.make_direct_map()
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index
