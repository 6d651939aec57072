"""The vector store implementations by name (`StoreConfig.kind`): make an empty one, or open a saved one.

The only module that knows every implementation. Milvus is imported when it is asked for, so that an index
in FAISS never loads pymilvus.

Example::

    store = make_store(StoreConfig(kind="milvus", milvus_uri="index/milvus.db"), dim=384, owner="index")
    store.add(vectors, rows)
    store = open_store(manifest.get("store", {}), data_folder, index_folder, rows)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.config import IndexConfig, StoreConfig
from assistant.store.faiss_store import FaissStore
from assistant.store.vectorstore import Rows, VectorStore

RowsSource = Rows | Callable[[], Rows] | None


@dataclass(frozen=True)
class Implementation:
    """How to make an empty store of one kind, and how to open one a save described."""

    make: Callable[[StoreConfig, int, IndexConfig, str, int], VectorStore]
    open: Callable[[dict, Path, Path, RowsSource, str], VectorStore]


def _make_faiss(config: StoreConfig, dim: int, index: IndexConfig, owner: str, n_hint: int) -> VectorStore:
    return FaissStore.empty(dim, index)


def _open_faiss(described: dict, data: Path, directory: Path, rows: RowsSource, token: str) -> VectorStore:
    return FaissStore.open(data, rows)


def _make_milvus(config: StoreConfig, dim: int, index: IndexConfig, owner: str, n_hint: int) -> VectorStore:
    from assistant.store.milvus import MilvusStore, collection_name

    return MilvusStore.create(config.milvus_uri, collection_name(owner or config.milvus_uri), dim, index,
                              token=config.milvus_token, n_hint=n_hint)


def _open_milvus(described: dict, data: Path, directory: Path, rows: RowsSource, token: str) -> VectorStore:
    from assistant.store.milvus import MilvusStore

    return MilvusStore.open(described, directory, token=token)


STORES = {"faiss": Implementation(_make_faiss, _open_faiss), "milvus": Implementation(_make_milvus, _open_milvus)}


def make_store(config: StoreConfig, dim: int, index: IndexConfig = IndexConfig(), owner: str = "",
               n_hint: int = 0) -> VectorStore:
    """An empty store of the configured kind; `owner` (the index folder) names its Milvus collections."""
    return STORES[config.kind].make(config, dim, index, owner, n_hint)


def open_store(described: dict, data: Path, directory: Path, rows: RowsSource = None, token: str = "") -> VectorStore:
    """The store a save described (`VectorStore.save`'s answer; {} for FAISS), with its files in the data
    folder `data` of the index folder `directory`; `rows` are the scalar fields a FAISS filter masks by."""
    return STORES[str(described.get("kind", "faiss"))].open(described, data, directory, rows, token)


def same_place(described: dict, config: StoreConfig, directory: Path) -> bool:
    """Does the store a save described (relative to the index folder `directory`) live where `config` points?"""
    if str(described.get("kind", "faiss")) != config.kind:
        return False
    if config.kind != "milvus":
        return True
    from assistant.store.milvus import is_local

    saved = str(described.get("uri", ""))
    if is_local(saved) and is_local(config.milvus_uri):
        return (directory / saved).resolve() == Path(config.milvus_uri).resolve()
    return saved == config.milvus_uri
