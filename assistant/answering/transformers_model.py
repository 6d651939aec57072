"""A Hugging Face causal LM on CPU behind the `ChatModel` interface (the `transformers` backend)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.answering.chatmodel import ChatModel, Messages
from assistant.answering.modelfiles import GGUF_MODELS, gguf_path
from assistant.errors import ModelUnavailable
from assistant.records import Usage


class TransformersModel(ChatModel):
    """A Hugging Face causal LM on CPU, from a local folder or a GGUF_MODELS file (dequantised: slow)."""

    def __init__(self, path_or_name: str, max_new_tokens: int = 384, temperature: float = 0.0, threads: int = 0):
        self.path_or_name = path_or_name
        self.max_tokens = max_new_tokens
        self.temperature = temperature
        self.threads = threads
        self.name = f"transformers/{path_or_name if path_or_name in GGUF_MODELS else Path(path_or_name).name}"
        self._loaded: tuple[Any, Any] | None = None
        self._load_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the tokenizer and weights have been read (on first use or warm-up)."""
        return self._loaded is not None

    def _load(self) -> tuple[Any, Any]:
        with self._load_lock:
            if self._loaded is None:
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer

                if self.threads:
                    torch.set_num_threads(self.threads)
                if self.path_or_name in GGUF_MODELS:
                    file = gguf_path(self.path_or_name, progress=True)
                    where, extra = str(file.parent), {"gguf_file": file.name}
                elif Path(self.path_or_name).is_dir():
                    where, extra = self.path_or_name, {}
                else:
                    raise ModelUnavailable(f"transformers model folder not found: {self.path_or_name}")
                try:
                    tok = AutoTokenizer.from_pretrained(where, local_files_only=True, **extra)
                    model = AutoModelForCausalLM.from_pretrained(where, local_files_only=True,
                                                                 dtype=torch.float32, **extra)
                except (OSError, ImportError, ValueError) as e:
                    raise ModelUnavailable(f"cannot load transformers model {self.path_or_name}: {e}") from e
                self._loaded = (tok, model.eval())
        return self._loaded

    def stream(self, messages: Messages, *, max_tokens: int | None = None, temperature: float | None = None,
               stop: list[str] | None = None, usage: Usage | None = None) -> Iterator[str]:
        """Usage: the prompt's and the generated tokens, counted by `generate`."""
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        max_tokens, temperature = self._options(max_tokens, temperature)
        tok, model = self._load()
        inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                         return_dict=True)
        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
        cancel = threading.Event()
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {
            "do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        kwargs = dict(**inputs, max_new_tokens=max_tokens, streamer=streamer, pad_token_id=tok.eos_token_id,
                      stopping_criteria=StoppingCriteriaList([lambda ids, scores, **kw: cancel.is_set()]),
                      **sampling)
        if stop:
            kwargs.update(stop_strings=stop, tokenizer=tok)
        errors: list[BaseException] = []
        prompt, lengths = inputs["input_ids"].shape[1], []

        def generate() -> None:
            try:
                lengths.append(model.generate(**kwargs).shape[1] - prompt)
            except Exception as e:  # re-raised in the consumer's thread below
                errors.append(e)
                streamer.end()

        worker = threading.Thread(target=generate, name="transformers-generate", daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            cancel.set()  # stops generation at the next token when the consumer quits early
            worker.join()
        if errors:
            raise ModelUnavailable(f"generation failed in {self.name}: {errors[0]}") from errors[0]
        if usage is not None and lengths:
            usage.add(prompt, lengths[0])
