"""Chat models by name: the configuration, the llama.cpp and OpenAI-compatible backends, and the registry that
also holds the transformers one (`transformers_model`); the interface is `chatmodel.ChatModel`. No retrieval or
prompts here.

Example::

    model = make_chat_model(LLMConfig())            # local llama.cpp, Qwen2.5-1.5B, loads on first use
    for piece in model.stream([{"role": "user", "content": "你好"}]):
        print(piece, end="", flush=True)
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answering.chatmodel import ChatModel, Messages
from assistant.answering.modelfiles import GGUF_MODELS, gguf_path
from assistant.answering.transformers_model import TransformersModel
from assistant.errors import ModelUnavailable
from assistant.records import Usage

__all__ = ["BACKENDS", "DEFAULT_MODELS", "ChatModel", "LLMConfig", "LlamaCppModel", "Messages", "OpenAICompatModel",
           "TransformersModel", "make_chat_model"]  # one import place for every backend
# The model each backend uses when none is named.
DEFAULT_MODELS = {"local": "qwen2.5-1.5b", "transformers": "qwen2.5-0.5b", "openai": "default"}


@dataclass(frozen=True)
class LLMConfig:
    """Which chat model to use; `extractive` means no LLM (the answering layer quotes sources instead)."""

    backend: str = "local"  # local | openai | transformers | extractive
    model: str = "qwen2.5-1.5b"  # GGUF_MODELS name or .gguf path; HF folder; or the server's model name
    base_url: str | None = None  # openai backend only, e.g. http://127.0.0.1:8000/v1
    api_key: str = "none"
    temperature: float = 0.0
    max_tokens: int = 384
    n_ctx: int = 4096
    threads: int = 0  # 0 = all cores
    timeout: float = 120.0  # seconds: server requests, and the wait for a busy local model
    seed: int = 0

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown LLM backend {self.backend!r}; choose one of {sorted(BACKENDS)}")
        if self.backend == "local" and self.model not in GGUF_MODELS and not self.model.endswith(".gguf"):
            raise ValueError(f"local model must be one of {sorted(GGUF_MODELS)} or a .gguf path, got {self.model!r}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.max_tokens < 1 or self.n_ctx < 256:
            raise ValueError(f"need max_tokens >= 1 and n_ctx >= 256, got {self.max_tokens}, {self.n_ctx}")
        if self.timeout <= 0 or self.threads < 0:
            raise ValueError(f"need timeout > 0 and threads >= 0, got {self.timeout}, {self.threads}")


class LlamaCppModel(ChatModel):
    """A GGUF model run in-process by llama.cpp; one shared instance serves requests one at a time."""

    def __init__(self, path: str | Path, n_ctx: int = 4096, threads: int = 0, seed: int = 0,
                 max_tokens: int = 384, temperature: float = 0.0, queue_timeout: float = 120.0):
        self.path = str(path)
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.seed = seed
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.queue_timeout = queue_timeout
        self.name = f"llama.cpp/{self.path if self.path in GGUF_MODELS else Path(self.path).name}"
        self._llm: Any = None
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()  # llama.cpp contexts are not re-entrant: requests queue here

    @property
    def loaded(self) -> bool:
        """Whether llama.cpp has read the GGUF file (on first use or warm-up)."""
        return self._llm is not None

    def _load(self) -> Any:
        with self._load_lock:
            if self._llm is None:
                file = gguf_path(self.path, progress=True) if self.path in GGUF_MODELS else Path(self.path)
                if not file.is_file():
                    raise ModelUnavailable(f"GGUF file not found: {file}")
                try:
                    from llama_cpp import Llama
                except ImportError as e:
                    raise ModelUnavailable("llama-cpp-python is not installed; run `make setup`") from e
                try:
                    self._llm = Llama(model_path=str(file), n_ctx=self.n_ctx, n_threads=self.threads,
                                      seed=self.seed, verbose=False)
                except ValueError as e:  # llama-cpp-python reports a bad or truncated file this way
                    raise ModelUnavailable(f"cannot load {file}: {e}") from e
        return self._llm

    def stream(self, messages: Messages, *, max_tokens: int | None = None, temperature: float | None = None,
               stop: list[str] | None = None, usage: Usage | None = None) -> Iterator[str]:
        """Usage: the prompt's tokens as llama.cpp evaluated them before its first token (its streamed chunks
        carry no counts), and the reply's tokens in the model's tokenizer."""
        max_tokens, temperature = self._options(max_tokens, temperature)
        llm = self._load()
        if not self._lock.acquire(timeout=self.queue_timeout):
            raise ModelUnavailable(
                f"本地模型忙，排队超过 {self.queue_timeout:g} 秒，请稍后再试 / "
                f"local model busy: waited more than {self.queue_timeout:g} s for earlier requests"
            )
        try:  # the finally also runs when the consumer stops early and the generator is closed
            chunks = llm.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                temperature=temperature, stop=stop or None, stream=True)
            prompt, reply = None, ""
            for chunk in chunks:
                if usage is not None and prompt is None:  # the first chunk comes with the first token
                    prompt = llm.n_tokens
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    reply += piece
                    yield piece
            if usage is not None:
                usage.add(llm.n_tokens if prompt is None else prompt,
                          len(llm.tokenize(reply.encode("utf-8"), add_bos=False, special=False)) if reply else 0)
        finally:
            self._lock.release()


class OpenAICompatModel(ChatModel):
    """Any OpenAI-compatible chat server (llama_cpp.server, vLLM, Ollama, a cloud API).

    It is always `loaded`: nothing is loaded in this process, and whether the server answers is known per
    request (or from `available`), not something a readiness check should wait for.
    """

    def __init__(self, base_url: str | None, api_key: str = "none", model: str = "qwen2.5-1.5b",
                 timeout: float = 120.0, max_tokens: int = 384, temperature: float = 0.0):
        self.base_url = base_url
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.name = f"openai/{model}"
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key,
                                  timeout=self.timeout, max_retries=0)
        return self._client

    def stream(self, messages: Messages, *, max_tokens: int | None = None, temperature: float | None = None,
               stop: list[str] | None = None, usage: Usage | None = None) -> Iterator[str]:
        """Usage: the server's counts (`stream_options.include_usage`); a server that sends none gets the
        characters of the messages and of the reply counted instead."""
        import openai

        max_tokens, temperature = self._options(max_tokens, temperature)
        client = self._get_client()
        url = str(client.base_url).rstrip("/")
        try:
            with client.chat.completions.create(model=self.model, messages=messages, max_tokens=max_tokens,
                                                temperature=temperature, stop=stop or None, stream=True,
                                                stream_options={"include_usage": True}) as chunks:
                counted, reply = None, ""
                for chunk in chunks:
                    counted = chunk.usage or counted
                    piece = chunk.choices[0].delta.content if chunk.choices else None
                    if piece:
                        reply += piece
                        yield piece
            if usage is not None and counted is not None:
                usage.add(counted.prompt_tokens, counted.completion_tokens)
            elif usage is not None:
                usage.add(sum(len(m.get("content") or "") for m in messages), len(reply))
        except openai.APITimeoutError as e:
            raise ModelUnavailable(f"模型服务超时 {url} (timeout {self.timeout:g} s): {e}") from e
        except openai.APIConnectionError as e:
            raise ModelUnavailable(f"无法连接模型服务 {url}: cannot connect: {e}") from e
        except openai.APIStatusError as e:
            raise ModelUnavailable(f"模型服务 {url} 返回错误 HTTP {e.status_code}: {e.message}") from e
        except openai.APIError as e:
            raise ModelUnavailable(f"模型服务 {url} 出错 / model server error: {e}") from e

    def available(self, timeout: float = 2.0) -> bool:
        """True when GET {base_url}/models answers within `timeout` seconds."""
        import openai

        try:
            self._get_client().with_options(timeout=timeout, max_retries=0).models.list()
        except openai.APIError:
            return False
        return True


BACKENDS: dict[str, Callable[[LLMConfig], ChatModel | None]] = {
    "local": lambda c: LlamaCppModel(c.model, n_ctx=c.n_ctx, threads=c.threads, seed=c.seed,
                                     max_tokens=c.max_tokens, temperature=c.temperature, queue_timeout=c.timeout),
    "openai": lambda c: OpenAICompatModel(c.base_url, c.api_key, c.model, timeout=c.timeout,
                                          max_tokens=c.max_tokens, temperature=c.temperature),
    "transformers": lambda c: TransformersModel(c.model, max_new_tokens=c.max_tokens,
                                                temperature=c.temperature, threads=c.threads),
    "extractive": lambda c: None,
}


def make_chat_model(config: LLMConfig) -> ChatModel | None:
    """Build the configured chat model (None for `extractive`); weights load on first use."""
    return BACKENDS[config.backend](config)
