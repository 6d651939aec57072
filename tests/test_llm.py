"""Generation layer: GGUF assembly, config validation, and every chat backend against real small models."""
from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
import types

import pytest

from assistant.answering import modelfiles
from assistant.errors import ModelUnavailable
from assistant.answering.llm import (LLMConfig, LlamaCppModel, OpenAICompatModel, TransformersModel,
                           make_chat_model)
from assistant.answering.modelfiles import gguf_path
from assistant.records import Usage
from conftest import free_port

# Without a system message the GGUF template adds "You are Qwen…", and then the 0.5B (a Coder model)
# answers this exact question with 上海 in both llama.cpp and transformers; the app always sends its own.
SYSTEM = {"role": "system", "content": "你是一个乐于助人的中文助手。"}
CAPITAL = [SYSTEM, {"role": "user", "content": "中国的首都是哪个城市？只回答城市名。"}]
DESCRIBE = [SYSTEM, {"role": "user", "content": "请用一句话介绍北京。"}]
SMALL = "qwen2.5-0.5b"


# ---- configuration ----------------------------------------------------------------------------------

def test_config_defaults_and_bad_backend():
    assert (LLMConfig().backend, LLMConfig().model) == ("local", "qwen2.5-1.5b")
    with pytest.raises(ValueError, match="'llamacpp'"):
        LLMConfig(backend="llamacpp")
    with pytest.raises(ValueError, match="'qwen-7b'"):
        LLMConfig(backend="local", model="qwen-7b")


def test_make_chat_model_is_lazy():
    assert make_chat_model(LLMConfig(backend="extractive")) is None
    local = make_chat_model(LLMConfig(model=SMALL, timeout=3))
    assert isinstance(local, LlamaCppModel) and local.queue_timeout == 3 and local._llm is None
    remote = make_chat_model(LLMConfig(backend="openai", base_url="http://127.0.0.1:1/v1", model="m"))
    assert isinstance(remote, OpenAICompatModel) and remote.name == "openai/m"


# ---- GGUF assembly from part packages ---------------------------------------------------------------

@pytest.fixture
def tiny_model(tmp_path, monkeypatch):
    """A 3-part fake model registered under `tiny`, its part modules injected into sys.modules."""
    blobs = [b"GGUF" + bytes(range(256)) * 3, b"\x00middle\xff" * 100, b"tail"]
    modules = []
    for i, blob in enumerate(blobs, 1):
        part = tmp_path / "parts" / f"part{i}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(blob)
        mod = types.ModuleType(f"fake_tiny_part{i}")
        mod.get_part_path = lambda p=part: str(p)
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
        modules.append(mod.__name__)
    whole = b"".join(blobs)
    spec = {"parts": modules, "size": len(whole), "sha256": hashlib.sha256(whole).hexdigest()}
    monkeypatch.setitem(modelfiles.GGUF_MODELS, "tiny", spec)
    return whole, spec


def test_gguf_parts_join_in_order_and_are_reused(tiny_model, tmp_path):
    whole, spec = tiny_model
    cache = tmp_path / "cache"
    path = gguf_path("tiny", cache_dir=cache)
    assert path == cache / "tiny.gguf" and path.read_bytes() == whole
    assert (cache / "tiny.gguf.sha256-ok").read_text().strip() == spec["sha256"]
    for module in spec["parts"]:  # the verified cache file is reused: parts are not read again
        sys.modules[module].get_part_path = lambda: "/nonexistent"
    assert gguf_path("tiny", cache_dir=cache).read_bytes() == whole


def test_gguf_default_cache_dir_from_env(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_QA_CACHE", str(tmp_path / "env-cache"))
    assert gguf_path("tiny") == tmp_path / "env-cache" / "tiny.gguf"


def test_gguf_truncated_cache_is_rebuilt(tiny_model, tmp_path):
    whole, _ = tiny_model
    path = gguf_path("tiny", cache_dir=tmp_path)
    path.write_bytes(whole[:10])
    assert gguf_path("tiny", cache_dir=tmp_path).read_bytes() == whole


def test_gguf_wrong_sha256_raises_and_leaves_nothing(tiny_model, tmp_path, monkeypatch):
    _, spec = tiny_model
    monkeypatch.setitem(modelfiles.GGUF_MODELS, "tiny", {**spec, "sha256": "0" * 64})
    cache = tmp_path / "cache"
    with pytest.raises(ModelUnavailable, match="sha256"):
        gguf_path("tiny", cache_dir=cache)
    assert [p.name for p in cache.iterdir() if p.suffix != ".lock"] == []


def test_gguf_missing_part_package_is_named(tiny_model, tmp_path, monkeypatch):
    _, spec = tiny_model
    parts = [*spec["parts"], "fake_tiny_part_missing"]
    monkeypatch.setitem(modelfiles.GGUF_MODELS, "tiny", {**spec, "parts": parts})
    with pytest.raises(ModelUnavailable, match="fake-tiny-part-missing.*make setup"):
        gguf_path("tiny", cache_dir=tmp_path)
    assert not (tmp_path / "tiny.gguf").exists()


def test_gguf_unknown_name():
    with pytest.raises(ValueError, match="'nope'"):
        gguf_path("nope")


# ---- the local model's request queue, with a fake llama.cpp -----------------------------------------

class FakeLlama:
    """Stands in for llama_cpp.Llama: streams two pieces."""

    def create_chat_completion(self, messages, **kwargs):
        for piece in ["北", "京"]:
            yield {"choices": [{"delta": {"content": piece}}]}


def test_local_lock_released_on_early_stop_and_busy_times_out():
    model = LlamaCppModel("unused.gguf", queue_timeout=0.05)
    model._llm = FakeLlama()
    assert model.complete(CAPITAL) == "北京"
    pieces = model.stream(CAPITAL)
    assert next(pieces) == "北" and model._lock.locked()
    t0 = time.monotonic()
    with pytest.raises(ModelUnavailable, match="本地模型忙"):
        model.complete(CAPITAL)
    assert time.monotonic() - t0 < 1
    pieces.close()  # the consumer stops early: the lock must be free again
    assert not model._lock.locked() and model.complete(CAPITAL) == "北京"


def test_loaded_only_once_an_in_process_model_has_read_its_weights(tmp_path):
    local = LlamaCppModel(str(tmp_path / "missing.gguf"))
    hf = TransformersModel(str(tmp_path / "no-model-here"))
    assert (local.loaded, hf.loaded) == (False, False)
    with pytest.raises(ModelUnavailable, match="GGUF file not found"):
        local.complete(CAPITAL)
    assert local.loaded is False  # a failed load leaves it unloaded
    local._llm, hf._loaded = FakeLlama(), (object(), object())  # what a successful `_load` leaves
    assert (local.loaded, hf.loaded) == (True, True)
    assert OpenAICompatModel("http://127.0.0.1:1/v1").loaded is True  # nothing to load in this process


def test_openai_closed_port_fails_fast():
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = OpenAICompatModel(url, model="m", timeout=30)
    t0 = time.monotonic()
    with pytest.raises(ModelUnavailable, match=f"无法连接模型服务 {url}"):
        model.complete(CAPITAL)
    assert time.monotonic() - t0 < 3
    assert model.available(timeout=1) is False


def sse_reply(usage: dict | None) -> str:
    """An OpenAI-compatible server's streamed reply "北京", with a usage chunk when `usage` is given."""
    head = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": SMALL}
    chunks = [{**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}]}
              for piece in ("北", "京")]
    chunks.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if usage:
        chunks.append({**head, "choices": [], "usage": usage})
    return "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks) + "data: [DONE]\n\n"


@pytest.mark.parametrize("reported, expected", [
    ({"prompt_tokens": 31, "completion_tokens": 2, "total_tokens": 33}, (31, 2)),
    (None, (len(SYSTEM["content"]) + len(CAPITAL[1]["content"]), 2)),  # no counts from the server: characters
])
def test_openai_usage_is_the_servers_count_or_characters(reported, expected):
    import httpx
    from openai import OpenAI

    sent: list[dict] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, text=sse_reply(reported), headers={"content-type": "text/event-stream"})

    model = OpenAICompatModel("http://models.test/v1", model=SMALL)
    model._client = OpenAI(base_url="http://models.test/v1", api_key="none", max_retries=0,
                           http_client=httpx.Client(transport=httpx.MockTransport(server)))
    usage = Usage()
    assert model.complete(CAPITAL, usage=usage) == "北京" and model.complete(CAPITAL, usage=usage) == "北京"
    assert sent[0]["stream_options"] == {"include_usage": True}
    assert (usage.prompt_tokens, usage.completion_tokens, usage.calls) == (2 * expected[0], 2 * expected[1], 2)


@pytest.mark.slow
@pytest.mark.parametrize("messages, most, finish", [(CAPITAL, 24, "stop"), (DESCRIBE, 8, "length")])
def test_local_usage_is_llama_cpps_own_count(llama_model, messages, most, finish):
    """The streamed answer's counts equal those llama.cpp gives for the same answer whole, ended either way."""
    usage, llm = Usage(), llama_model._load()
    llm.reset()  # both from an empty context: a reused prefix can change the greedy answer's words
    streamed = llama_model.complete(messages, max_tokens=most, usage=usage)
    llm.reset()
    whole = llm.create_chat_completion(messages=messages, max_tokens=most, temperature=0.0)
    assert (whole["choices"][0]["message"]["content"], whole["choices"][0]["finish_reason"]) == (streamed, finish)
    own = whole["usage"]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.calls) == (own["prompt_tokens"], own["completion_tokens"], 1)


# ---- real models ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def llama_model() -> LlamaCppModel:
    return LlamaCppModel(SMALL, n_ctx=2048)


@pytest.fixture(scope="module")
def server_model(llama_server) -> OpenAICompatModel:
    return OpenAICompatModel(llama_server, model=SMALL, timeout=60)


@pytest.fixture(scope="module")
def transformers_model() -> TransformersModel:
    return TransformersModel(SMALL, max_new_tokens=8)


@pytest.mark.slow
def test_local_concurrent_requests_queue(llama_model):
    answers: dict[int, str] = {}
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            answers[i] = llama_model.complete(CAPITAL, max_tokens=16)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and sorted(answers) == [0, 1]
    assert all("北京" in a for a in answers.values())


@pytest.mark.slow
def test_server_available(server_model):
    assert server_model.available() is True
    wrong = OpenAICompatModel(f"http://127.0.0.1:{free_port()}/v1", model=SMALL)
    t0 = time.monotonic()
    assert wrong.available(timeout=1) is False
    assert time.monotonic() - t0 < 3


# transformers last: its fp32 copy of the model and torch's threads would slow the llama.cpp tests.
@pytest.fixture(params=["llama_model", "server_model", "transformers_model"])
def chat_model(request):
    """Every ChatModel implementation, each on the real 0.5B model."""
    return request.getfixturevalue(request.param)


@pytest.mark.slow
def test_chat_model_contract(chat_model):
    max_tokens = 8 if isinstance(chat_model, TransformersModel) else 16
    assert "北京" in chat_model.complete(CAPITAL, max_tokens=max_tokens)
    assert chat_model.loaded is True
    usage = Usage()
    pieces = list(chat_model.stream(DESCRIBE, max_tokens=8, usage=usage))
    assert len(pieces) > 1 and all(isinstance(p, str) and p for p in pieces)
    assert usage.calls == 1 and usage.prompt_tokens > 10 and usage.completion_tokens > 0  # every backend counts
    assert "北京" in "".join(pieces)
