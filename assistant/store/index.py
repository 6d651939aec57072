"""The vector index on disk: the vector store's files + chunks.jsonl + manifest.json.

Layout (plain, inspectable files)::

    index/manifest.json            embedder, dimension, chunking, per-document hashes, current data folder
    index/data-<stamp>/index.faiss
    index/data-<stamp>/chunks.jsonl

With `store = "milvus"` the vectors are a Milvus collection that manifest.json names (`store`), and the data
folder holds chunks.jsonl only.

A save writes a new data folder, then replaces manifest.json atomically: a crash mid-write leaves the
previous manifest pointing at the previous, complete data folder. Writers take `write_lock` (one at a time
across processes); readers take no lock, and a save keeps the previous data folder for those mid-load.
"""
from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError, IndexCorrupt, IndexMismatch, IndexNotBuilt
from assistant.records import Chunk
from assistant.store.faiss_store import FaissStore
from assistant.store.stores import open_store
from assistant.store.vectorstore import StoreFilter, VectorStore, chunk_rows

FORMAT = 1
MANIFEST = "manifest.json"
LOCK = ".write.lock"
LOCK_TIMEOUT_S = 120.0  # longer than an incremental add of one large file on two cores


class IndexBusy(AssistantError):
    """Another process holds the index's write lock past the timeout; the message is Chinese, for users."""


@contextmanager
def write_lock(directory: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the index's write lock (a flock on index/.write.lock): one writer at a time across processes.

    The kernel drops the lock when its holder dies, even by SIGKILL, so a crash never leaves it stale.
    Readers do not take it.
    """
    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "未知"
                    raise IndexBusy(f"索引 {directory} 正由另一个进程（pid {holder}）写入，等待 {timeout:g} 秒后仍未完成；"
                                    "请稍后重试") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


@dataclass
class VectorIndex:
    """Chunks and their sentence-unit vectors: store rows are the units of chunks[0], then chunks[1], …

    A chunk scores as its best sentence (max-pooling), which keeps one specific sentence of a long item
    findable and tells the citation which sentence to highlight. The vectors live in `store`: a FaissStore
    around `faiss_index` (a faiss.Index) unless another store is given; `faiss_index` is None for a Milvus store.
    """

    chunks: list[Chunk]
    faiss_index: object | None  # the faiss.Index of a FAISS store (typed loosely: only faiss_store imports faiss)
    manifest: dict = field(default_factory=dict)
    store: VectorStore | None = None

    def __post_init__(self):
        counts = [len(c.units) for c in self.chunks]
        self.owners = np.repeat(np.arange(len(self.chunks)), counts)  # unit row → chunk row
        self.first_unit = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if counts else np.zeros(0, np.int64)
        if self.store is None:
            self.store = FaissStore(self.faiss_index, lambda: chunk_rows(self.chunks, self.manifest.get("documents", {})))
        elif self.faiss_index is None and isinstance(self.store, FaissStore):
            self.faiss_index = self.store.index

    @property
    def dim(self) -> int:
        return self.store.dim

    def vectors(self) -> np.ndarray:
        """All stored unit vectors, in row order (used to reuse unchanged documents' vectors)."""
        return self.store.vectors(range(len(self.owners)))

    def unit_vectors(self, row: int) -> np.ndarray:
        """The vectors of the sentence units of chunk `row`."""
        first = int(self.first_unit[row])
        return self.store.vectors(range(first, first + len(self.chunks[row].units)))

    def search(self, query: np.ndarray, k: int, allowed: list[int] | None = None,
               where: StoreFilter | None = None) -> list[tuple[int, float, int]]:
        """Top-k chunks as (chunk row, best unit score, best unit index); `allowed` restricts the chunk rows,
        `where` filters by the chunks' scalar fields inside the store."""
        total = len(self.owners)
        if total == 0 or k <= 0 or allowed == []:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if allowed is not None:
            where = dataclasses.replace(where or StoreFilter(), chunks=tuple(int(c) for c in allowed))
        cap = min(total, self.store.max_fetch)
        fetch = min(cap, max(8 * k, 64))
        while True:
            best: dict[int, tuple[float, int]] = {}
            for r, s in self.store.search(q, fetch, where):
                c = int(self.owners[r])
                if c not in best:
                    best[c] = (float(s), int(r - self.first_unit[c]))
            if len(best) >= k or fetch >= cap:
                return [(c, s, u) for c, (s, u) in list(best.items())[:k]]
            fetch = min(cap, fetch * 4)


def _write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a temp file in the same folder, fsynced, then renamed over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save(index: VectorIndex, directory: Path) -> None:
    """Write a new data folder, then switch the manifest to it; the caller holds `write_lock`.

    Afterwards every data folder except the new one and the one the manifest pointed to before is removed
    (readers that read the old manifest may still be loading that one).
    """
    directory.mkdir(parents=True, exist_ok=True)
    previous = _current_data(directory)
    previous_store = _current_store(directory)
    data = directory / f"data-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = Path(tempfile.mkdtemp(dir=directory, prefix=".tmp-data-"))
    described = index.store.save(tmp)
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
        for c in index.chunks:
            f.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, data)
    manifest = {**index.manifest, "format": FORMAT, "data": data.name, "chunks": len(index.chunks),
                "dim": index.dim, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    manifest.pop("store", None)
    if described.get("kind", "faiss") != "faiss":  # a FAISS index's manifest stays as it always was
        manifest["store"] = described
    _write_json(directory / MANIFEST, manifest)
    index.manifest = manifest
    index.store.retire([d for d in (described, previous_store) if d])
    keep = {data.name, previous, _current_data(directory)}
    for old in directory.iterdir():
        if old.is_dir() and old.name not in keep and old.name.startswith(("data-", ".tmp-data-")):
            shutil.rmtree(old, ignore_errors=True)


def _current_data(directory: Path) -> str:
    """The data folder the manifest points to now ("" when there is no readable manifest)."""
    try:
        return str(json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("data", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _current_store(directory: Path) -> dict:
    """What the current manifest says about its store ({} for FAISS or when there is none)."""
    try:
        return dict(json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("store", {}))
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def store_kind(manifest: dict) -> str:
    """`faiss` or `milvus`: where the index's vectors live."""
    return str(manifest.get("store", {}).get("kind", "faiss"))


def document_id(documents: dict, doc: str) -> str | None:
    """The id of the document of `manifest["documents"]` that `doc` names, by id or by file name; None if none."""
    return doc if doc in documents else next((i for i, d in documents.items() if d.get("source") == doc), None)


def read_manifest(directory: Path) -> dict:
    """The manifest of the index in `directory`, or IndexNotBuilt."""
    path = directory / MANIFEST
    if not path.exists():
        raise IndexNotBuilt(f"no index at {directory} (run: python -m assistant index)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexCorrupt(f"{path} is not valid JSON: {e}") from e
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(f"{path}: index format {manifest.get('format')} is not {FORMAT}; rebuild the index")
    return manifest


def check_compatible(manifest: dict, embedder_name: str, chunking: dict, where: Path) -> None:
    """Refuse an index built with another embedder or chunking: its neighbours would be wrong."""
    built = manifest.get("embedder")
    if built != embedder_name:
        raise IndexMismatch(
            f"index at {where} was built with embedder {built!r}, not {embedder_name!r}; "
            "rebuild it with: python -m assistant index"
        )
    if manifest.get("chunking") != chunking:
        raise IndexMismatch(
            f"index at {where} was built with chunking {manifest.get('chunking')}, not {chunking}; "
            "rebuild it with: python -m assistant index"
        )


def load(directory: Path, milvus_token: str = "") -> VectorIndex:
    """Load the index the manifest points to, checking that its parts agree.

    A writer may switch the manifest while we read; then the newer index is read once more. An index whose
    vectors are in Milvus opens its collection (`milvus_token` for a server that needs one).
    """
    before = _current_data(directory)
    try:
        return _load(directory, milvus_token)
    except IndexCorrupt:
        if _current_data(directory) in ("", before):
            raise
        return _load(directory, milvus_token)


def _load(directory: Path, milvus_token: str) -> VectorIndex:
    manifest = read_manifest(directory)
    data = directory / str(manifest.get("data", ""))
    try:
        with open(data / "chunks.jsonl", encoding="utf-8") as f:
            chunks = [Chunk.from_json(json.loads(line)) for line in f if line.strip()]
        vectors = open_store(manifest.get("store", {}), data, directory,
                             lambda: chunk_rows(chunks, manifest.get("documents", {})), milvus_token)
    except (OSError, RuntimeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise IndexCorrupt(f"index data in {data} is unreadable: {e}") from e
    n_units = sum(len(c.units) for c in chunks)
    stored = vectors.count()
    if stored != n_units or len(chunks) != manifest.get("chunks"):
        raise IndexCorrupt(
            f"index at {directory} is inconsistent: {stored} vectors for {n_units} sentence units, "
            f"{len(chunks)} chunks, manifest says {manifest.get('chunks')}"
        )
    return VectorIndex(chunks, None, manifest, store=vectors)
