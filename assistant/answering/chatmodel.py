"""The chat model interface: messages in, text pieces out, with the tokens each call used.

Example::

    for piece in model.stream([{"role": "user", "content": "你好"}], usage=usage):
        print(piece, end="", flush=True)
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from assistant.records import Usage

Messages = list[dict]


class ChatModel(ABC):
    """Implement `stream`; `complete` is built on it. Per-call options default to the model's own; a `usage`
    given gets the call's prompt and completion tokens added, as the backend counts them."""

    name: str
    max_tokens: int = 384
    temperature: float = 0.0

    @abstractmethod
    def stream(self, messages: Messages, *, max_tokens: int | None = None, temperature: float | None = None,
               stop: list[str] | None = None, usage: Usage | None = None) -> Iterator[str]:
        """Yield the reply to `messages` (OpenAI-style role/content dicts) piece by piece."""

    def complete(self, messages: Messages, *, max_tokens: int | None = None, temperature: float | None = None,
                 stop: list[str] | None = None, usage: Usage | None = None) -> str:
        """Return the whole reply as one string."""
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, usage=usage))

    @property
    def loaded(self) -> bool:
        """Whether the model can answer without loading weights first: in-process backends load them on first
        use (or warm-up) and say so here; a model with nothing of its own to load (a server's) is always loaded."""
        return True

    def _options(self, max_tokens: int | None, temperature: float | None) -> tuple[int, float]:
        """Per-call values, falling back to the model's defaults."""
        return (self.max_tokens if max_tokens is None else max_tokens,
                self.temperature if temperature is None else temperature)

