"""Fast stand-ins that implement the real interfaces, for unit tests."""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

import numpy as np

from assistant.embedding import Embedder


class BigramEmbedder(Embedder):
    """Hashed character bigrams: similar wording → similar vectors; deterministic and instant."""

    name = "test/bigram-hash"
    dim = 256

    def __init__(self):
        self.calls = 0
        self.embedded = 0

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.calls += 1
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            t = unicodedata.normalize("NFKC", t)
            for a, b in zip(t, t[1:]):
                h = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
