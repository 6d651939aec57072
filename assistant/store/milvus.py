"""Milvus as a vector store, through pymilvus' MilvusClient: milvus-lite (embedded, one `.db` file) when the
URI is a file path, a Milvus server or cluster when it is http(s)://host:19530 (with a token if it needs one).

Each save of an index is a new collection (`chunks_<stamp>`); the manifest names the one to read, so a
writer killed half-way leaves the previous collection in use, and the next save drops the leftovers.
The only module that imports pymilvus.

Example::

    store = MilvusStore.create("index/milvus.db", "chunks_demo", 384)
    store.add(vectors, rows)
    store.search(q, 10, StoreFilter(department="市商务委", years=(2020, 2024)))
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from pymilvus import DataType, MilvusClient

from assistant.config import IndexConfig
from assistant.store.vectorstore import TEXT_FIELDS, Rows, StoreFilter, VectorStore

PREFIX = "chunks_"
TEXT_LENGTH = {"doc_id": 512, "status": 64, "departments": 2048, "kind": 256, "issuer": 1024, "region": 256}
INSERT_BATCH = 5000
MAX_TOPK = 16384  # Milvus' limit on one search


def is_local(uri: str) -> bool:
    """A file path (milvus-lite) rather than a server address."""
    return not uri.startswith(("http://", "https://", "tcp://", "grpc://", "unix:"))


def collection_name(owner: str) -> str:
    """A fresh collection name, `chunks_<owner hash>__<time>`: saves of one index share the part before `__`,
    so that retiring old ones never touches another index's collections on a shared server."""
    tag = hashlib.sha1(owner.encode()).hexdigest()[:10]
    return f"{PREFIX}{tag}__{time.strftime('%Y%m%d_%H%M%S')}_{time.time_ns() % 10**9}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def expression(where: StoreFilter | None) -> str:
    """The Milvus boolean expression of a filter ("" allows everything); same rows as `Rows.mask`."""
    if not where:
        return ""
    parts = []
    if where.docs:
        parts.append(f"doc_id in [{', '.join(_quote(d) for d in where.docs)}]")
    if where.status:
        parts.append(f"status in [{', '.join(_quote(s) for s in where.status)}]")
    if where.department:  # a substring of one of the `|`-joined departments: no match across the separator
        parts.append(f"departments like {_quote('%' + where.department + '%')}")
    if where.kind:
        parts.append(f"kind like {_quote('%' + where.kind)}")
    if where.issuer:
        parts.append(f"issuer like {_quote('%' + where.issuer + '%')}")
    if where.region:
        parts.append(f"region like {_quote('%' + where.region + '%')}")
    if where.years is not None:
        parts.append(f"year >= {int(where.years[0])} and year <= {int(where.years[1])}")
    if where.chunks is not None:
        parts.append(f"chunk in [{', '.join(str(int(c)) for c in where.chunks)}]" if where.chunks else "chunk < 0")
    return " and ".join(f"({p})" for p in parts)


def index_params(client: MilvusClient, config: IndexConfig, n_hint: int = 0):
    """FLAT, HNSW or IVF_FLAT by the index kind, inner product (cosine on normalised vectors)."""
    params = client.prepare_index_params()
    if config.kind == "hnsw":
        params.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                         params={"M": config.hnsw_m, "efConstruction": 64})
    elif config.kind == "ivf":
        nlist = config.ivf_nlist or max(1, min(max(n_hint, 1) // 39, int(4 * np.sqrt(max(n_hint, 1)))))
        params.add_index(field_name="vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": nlist})
    else:
        params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
    return params


class MilvusStore(VectorStore):
    """One Milvus collection: id, vector and the scalar fields of `Rows`."""

    max_fetch = MAX_TOPK

    def __init__(self, client: MilvusClient, uri: str, collection: str, dim: int, config: IndexConfig = IndexConfig(),
                 search_params: dict | None = None):
        self.client, self.uri, self.collection, self.dim, self.config = client, uri, collection, dim, config
        self.search_params = search_params or {}

    @staticmethod
    def connect(uri: str, token: str = "") -> MilvusClient:
        """A client: milvus-lite for a file path (its folder is created), else the server at `uri`."""
        if is_local(uri):
            path = Path(uri).expanduser().resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            return MilvusClient(str(path))
        return MilvusClient(uri=uri, token=token)

    @classmethod
    def create(cls, uri: str, collection: str, dim: int, config: IndexConfig = IndexConfig(), token: str = "",
               n_hint: int = 0) -> MilvusStore:
        """A new, empty collection (an existing one of that name is replaced)."""
        collection = collection or collection_name(uri)
        if is_local(uri):
            uri = str(Path(uri).expanduser().resolve())
        client = cls.connect(uri, token)
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("chunk", DataType.INT64)
        schema.add_field("year", DataType.INT32)
        for name in TEXT_FIELDS:
            schema.add_field(name, DataType.VARCHAR, max_length=TEXT_LENGTH[name])
        if client.has_collection(collection):
            client.drop_collection(collection)
        client.create_collection(collection, schema=schema, index_params=index_params(client, config, n_hint))
        return cls(client, uri, collection, dim, config)

    @classmethod
    def open(cls, described: dict, directory: Path, token: str = "") -> MilvusStore:
        """The collection an index manifest names; a relative milvus-lite path is relative to the index folder."""
        uri = str(described["uri"])
        if is_local(uri) and not Path(uri).is_absolute():
            uri = str((directory / uri).resolve())
        client = cls.connect(uri, token)
        collection = str(described["collection"])
        if not client.has_collection(collection):
            raise OSError(f"Milvus at {uri} has no collection {collection}")
        client.load_collection(collection)  # a collection another process wrote starts released
        dim = next(f["params"]["dim"] for f in client.describe_collection(collection)["fields"] if f["name"] == "vector")
        return cls(client, uri, collection, int(dim), IndexConfig(kind=str(described.get("index", "flat"))))

    def add(self, vectors: np.ndarray, rows: Rows) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(rows), self.dim):
            raise ValueError(f"{vectors.shape} vectors for {len(rows)} rows of dimension {self.dim}")
        for start in range(0, len(rows), INSERT_BATCH):
            part = rows.slice(start, start + INSERT_BATCH).records()
            for record, vector in zip(part, vectors[start : start + INSERT_BATCH]):
                record["vector"] = vector
            self.client.insert(self.collection, part)

    def search(self, query: np.ndarray, k: int, where: StoreFilter | None = None) -> list[tuple[int, float]]:
        if k <= 0 or (where is not None and where.chunks == ()):
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        result = self.client.search(self.collection, data=[q], limit=min(k, MAX_TOPK), filter=expression(where),
                                    output_fields=[], search_params={"metric_type": "IP", "params": self.search_params})
        return [(int(hit["id"]), float(hit["distance"])) for hit in result[0]]

    def delete(self, docs: Collection[str]) -> int:
        if not docs:
            return 0
        before = self.count()
        self.client.delete(self.collection, filter=expression(StoreFilter(docs=tuple(docs))))
        return before - self.count()

    def count(self) -> int:
        result = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(result[0]["count(*)"])

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        ids = [int(i) for i in ids]
        found: dict[int, list[float]] = {}
        for start in range(0, len(ids), 1000):
            for r in self.client.get(self.collection, ids=ids[start : start + 1000], output_fields=["vector"]):
                found[int(r["id"])] = r["vector"]
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(f"Milvus collection {self.collection} has no vectors for ids {missing[:5]}…")
        return np.asarray([found[i] for i in ids], dtype=np.float32).reshape(len(ids), self.dim)

    def save(self, folder: Path) -> dict:
        self.client.flush(self.collection)
        uri = self.uri
        if is_local(uri):  # relative to the index folder when inside it, so the folder can move
            try:
                uri = str(Path(uri).resolve().relative_to(folder.parent.resolve()))
            except ValueError:
                pass
        return {"kind": "milvus", "uri": uri, "collection": self.collection, "index": self.config.kind}

    def retire(self, keep: Collection[dict]) -> None:
        kept = {d.get("collection") for d in keep} | {self.collection}
        family = self.collection.split("__")[0] + "__"
        for name in self.client.list_collections():
            if "__" in self.collection and name.startswith(family) and name not in kept:
                self.client.drop_collection(name)

    def close(self) -> None:
        self.client.close()

