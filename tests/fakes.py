"""Fast stand-ins that implement the real interfaces, for unit tests."""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

import numpy as np

from assistant.store.embedding import Embedder


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


class ScriptedChatModel:
    """A ChatModel that streams a fixed reply (or raises), recording the messages it was sent."""

    loaded = True  # nothing to load

    def __init__(self, reply: str = "", error: Exception | None = None, tokens: tuple[int, int] = (0, 0)):
        from assistant.answering.llm import ChatModel

        ChatModel.register(type(self))
        self.name = "test/scripted"
        self.reply = reply
        self.error = error
        self.tokens = tokens  # the (prompt, completion) tokens it reports for each call
        self.messages: list[list[dict]] = []

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None, usage=None):
        self.messages.append(messages)
        if self.error:
            raise self.error
        if usage is not None:
            usage.add(*self.tokens)
        for i in range(0, len(self.reply), 4):
            yield self.reply[i : i + 4]

    def complete(self, messages, **kw) -> str:
        return "".join(self.stream(messages, **kw))
