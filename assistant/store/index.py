"""The vector index on disk: FAISS inner-product index + chunks.jsonl + manifest.json.

Layout (plain, inspectable files)::

    index/manifest.json            embedder, dimension, chunking, per-document hashes, current data folder
    index/data-<stamp>/index.faiss
    index/data-<stamp>/chunks.jsonl

A save writes a new data folder, then replaces manifest.json atomically: a crash mid-write leaves the
previous manifest pointing at the previous, complete data folder. Writers take `write_lock` (one at a time
across processes); readers take no lock, and a save keeps the previous data folder for those mid-load.
"""
from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from assistant.config import IndexConfig
from assistant.errors import AssistantError, IndexCorrupt, IndexMismatch, IndexNotBuilt
from assistant.records import Chunk

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
    """Chunks and their sentence-unit vectors: FAISS rows are the units of chunks[0], then chunks[1], …

    A chunk scores as its best sentence (max-pooling), which keeps one specific sentence of a long item
    findable and tells the citation which sentence to highlight.
    """

    chunks: list[Chunk]
    faiss_index: faiss.Index
    manifest: dict = field(default_factory=dict)

    def __post_init__(self):
        counts = [len(c.units) for c in self.chunks]
        self.owners = np.repeat(np.arange(len(self.chunks)), counts)  # unit row → chunk row
        self.first_unit = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if counts else np.zeros(0, np.int64)

    @property
    def dim(self) -> int:
        return self.faiss_index.d

    def vectors(self) -> np.ndarray:
        """All stored unit vectors, in row order (used to reuse unchanged documents' vectors)."""
        if self.faiss_index.ntotal == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.faiss_index.reconstruct_n(0, self.faiss_index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: list[int] | None = None) -> list[tuple[int, float, int]]:
        """Top-k chunks as (chunk row, best unit score, best unit index); `allowed` restricts the chunk rows."""
        total = self.faiss_index.ntotal
        if total == 0 or k <= 0 or allowed == []:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        params = None
        if allowed is not None:
            rows = np.concatenate([np.arange(self.first_unit[c], self.first_unit[c] + len(self.chunks[c].units))
                                   for c in allowed]).astype(np.int64)
            sel = faiss.IDSelectorBatch(rows)
            if isinstance(self.faiss_index, faiss.IndexIVF):  # filtered: probe every list, stay exact
                params = faiss.SearchParametersIVF(sel=sel, nprobe=self.faiss_index.nlist)
            else:
                params = faiss.SearchParameters(sel=sel)
        fetch = min(total, max(8 * k, 64))
        while True:
            scores, rows = self.faiss_index.search(q, fetch, params=params)
            best: dict[int, tuple[float, int]] = {}
            for r, s in zip(rows[0], scores[0]):
                if r < 0:
                    continue
                c = int(self.owners[r])
                if c not in best:
                    best[c] = (float(s), int(r - self.first_unit[c]))
            if len(best) >= k or fetch >= total:
                return [(c, s, u) for c, (s, u) in list(best.items())[:k]]
            fetch = min(total, fetch * 4)


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
    data = directory / f"data-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = Path(tempfile.mkdtemp(dir=directory, prefix=".tmp-data-"))
    faiss.write_index(index.faiss_index, str(tmp / "index.faiss"))
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
        for c in index.chunks:
            f.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, data)
    manifest = {**index.manifest, "format": FORMAT, "data": data.name, "chunks": len(index.chunks),
                "dim": index.dim, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    _write_json(directory / MANIFEST, manifest)
    index.manifest = manifest
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


def load(directory: Path) -> VectorIndex:
    """Load the index the manifest points to, checking that its parts agree.

    A writer may switch the manifest while we read; then the newer index is read once more.
    """
    before = _current_data(directory)
    try:
        return _load(directory)
    except IndexCorrupt:
        if _current_data(directory) in ("", before):
            raise
        return _load(directory)


def _load(directory: Path) -> VectorIndex:
    manifest = read_manifest(directory)
    data = directory / str(manifest.get("data", ""))
    try:
        faiss_index = faiss.read_index(str(data / "index.faiss"))
        with open(data / "chunks.jsonl", encoding="utf-8") as f:
            chunks = [Chunk.from_json(json.loads(line)) for line in f if line.strip()]
    except (OSError, RuntimeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise IndexCorrupt(f"index data in {data} is unreadable: {e}") from e
    n_units = sum(len(c.units) for c in chunks)
    if faiss_index.ntotal != n_units or len(chunks) != manifest.get("chunks"):
        raise IndexCorrupt(
            f"index at {directory} is inconsistent: {faiss_index.ntotal} vectors for {n_units} sentence units, "
            f"{len(chunks)} chunks, manifest says {manifest.get('chunks')}"
        )
    return VectorIndex(chunks, faiss_index, manifest)
