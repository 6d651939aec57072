"""Resumable embedding: vectors of finished batches wait in a staging folder until the index that uses them is
saved, keyed by a hash of what was embedded, so that a build killed part-way embeds only what is missing
when it runs again.

Memory stays bounded by the batch: texts are embedded `batch` at a time and each batch is written to its own
file (`batch-<hash>.npz`, atomically) before the next begins. The same files are how a large library is
embedded on several machines: each embeds its share into a staging folder, the folders are copied into one,
and the final build finds every vector there (docs/scale.md).

Example::

    vectors = EmbeddingStage(Path("index/.staging"), embedder).embed(texts, progress=True)
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.store.embedding import Embedder

BATCH = 512  # sentence units per staged file: a killed build loses at most this much work


class EmbeddingStage:
    """A staging folder of embedded batches for one embedder."""

    def __init__(self, folder: Path, embedder: Embedder, batch: int | None = None):
        self.folder = Path(folder)
        self.embedder = embedder
        self.batch = batch or BATCH
        if self.batch < 1:
            raise ValueError(f"batch must be at least 1, got {self.batch}")

    def key(self, text: str) -> str:
        """What identifies a vector: the embedder and the exact passage text."""
        return hashlib.sha256(f"{self.embedder.name}\0{self.embedder.dim}\0{text}".encode()).hexdigest()

    def staged(self, keys: set[str] | None = None) -> dict[str, np.ndarray]:
        """Vectors already in the staging folder (only those of `keys`, when given)."""
        found: dict[str, np.ndarray] = {}
        for f in sorted(self.folder.glob("batch-*.npz")):
            try:
                with np.load(f, allow_pickle=False) as data:
                    names, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # unreadable: its texts are embedded again
            for name, vector in zip(names.tolist(), vectors):
                if keys is None or name in keys:
                    found[name] = vector
        return found

    def embed(self, texts: Sequence[str], progress: bool = False,
              report: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors of all texts, in order: staged ones read back, the rest embedded and staged batch by batch;
        `report(done, total)` at the start and after each of the embedder's batches (staged texts count as done)."""
        keys = [self.key(t) for t in texts]
        out = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        done = self.staged(set(keys)) if self.folder.is_dir() else {}
        missing = [i for i, k in enumerate(keys) if k not in done]
        for i, k in enumerate(keys):
            if k in done:
                out[i] = done[k]
        bar = tqdm(total=len(missing), desc="向量化", unit="句", disable=not progress,
                   postfix={"已暂存": len(texts) - len(missing)})
        finished = len(texts) - len(missing)
        if report:
            report(finished, len(texts))
        for start in range(0, len(missing), self.batch):
            rows = missing[start : start + self.batch]
            step = (lambda n, base=finished: report(base + n, len(texts))) if report else None
            vectors = self.embedder.embed_passages([texts[i] for i in rows], batch_size=self._inner_batch(),
                                                   on_batch=step)
            self._write([keys[i] for i in rows], vectors)
            out[rows] = vectors
            finished += len(rows)
            bar.update(len(rows))
        bar.close()
        return out

    def clear(self) -> None:
        """Forget every staged batch (after the index that used them is saved)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _inner_batch(self) -> int:
        config = self.embedder.config
        return config.batch_size if config else 16

    def _write(self, keys: list[str], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256("".join(keys).encode()).hexdigest()[:20]
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".npz")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, keys=np.asarray(keys), vectors=np.asarray(vectors, dtype=np.float32))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / f"batch-{name}.npz")
