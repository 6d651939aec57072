"""Index writes under faults: writers killed with SIGKILL at each step, concurrent writers, the write lock,
and a running Service that picks up an index written by another process."""
import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakes import BigramEmbedder

from assistant.answering.answer import Assistant
from assistant.retrieval.retrieve import Retriever
from assistant.store import index as store
from assistant.store.knowledge import PENDING, KnowledgeBase
from conftest import ROOT, SEED_NAME

WRITER = ROOT / "tests" / "kb_writer.py"
QUESTIONS = ["生鲜电商有哪些支持措施？", "在线教育由哪些部门负责？", "无人工厂的建设目标是多少家？"]
NEW_DOC = """青浦区数字农业试点补贴办法
一、支持对象
1、无人机植保作业补贴。对开展无人机植保作业的家庭农场，按作业面积给予补贴。（责任部门：区农业农村委）
"""


def kb_at(corpus: Path, index: Path) -> KnowledgeBase:
    return KnowledgeBase(corpus, index, BigramEmbedder())


def answers(kb: KnowledgeBase) -> list[str]:
    assistant = Assistant(Retriever(kb.load(), kb.embedder), None)
    return [assistant.ask(q).text for q in QUESTIONS]


def writer(corpus: Path, index: Path, *args: str, wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    cmd = [sys.executable, str(WRITER), str(corpus), str(index), *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def corpus_state(corpus: Path) -> dict[str, str]:
    """Every document file of the corpus folder (pending ones excluded) with its hash."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(corpus.iterdir()) if p.is_file()}


def data_folders(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.is_dir())


@pytest.fixture
def built(corpus_dir, tmp_path):
    kb = kb_at(corpus_dir, tmp_path / "index")
    kb.sync()
    new = tmp_path / "incoming" / "青浦区数字农业补贴.txt"
    new.parent.mkdir()
    new.write_text(NEW_DOC, encoding="utf-8")
    return kb, new


@pytest.mark.parametrize("point", ["embed", "data", "manifest"])
def test_add_killed_before_the_manifest_leaves_the_old_index_then_a_rerun_completes(built, point):
    kb, new = built
    before_answers, before_docs = answers(kb), kb.load().manifest["documents"]
    before_corpus = corpus_state(kb.corpus_dir)

    r = writer(kb.corpus_dir, kb.index_dir, "add", str(new), "--crash", point)
    assert r.returncode == -9, r.stderr  # really killed, by SIGKILL

    assert kb.load().manifest["documents"] == before_docs
    assert answers(kb) == before_answers
    assert corpus_state(kb.corpus_dir) == before_corpus  # the staged copy never reached the corpus

    r = writer(kb.corpus_dir, kb.index_dir, "add", str(new))
    assert r.returncode == 0, r.stderr
    assert "新增 1" in r.stdout
    assert set(kb.load().manifest["documents"]) == set(before_docs) | {"青浦区数字农业补贴"}
    assert set(corpus_state(kb.corpus_dir)) == set(before_corpus) | {new.name}
    assert not list((kb.corpus_dir / PENDING).glob("*/*"))
    assert len(data_folders(kb.index_dir)) <= 2  # the killed writer's half-written folder is gone


def test_add_killed_after_the_manifest_is_finished_by_the_next_writer(built):
    kb, new = built
    r = writer(kb.corpus_dir, kb.index_dir, "add", str(new), "--crash", "commit")
    assert r.returncode == -9, r.stderr
    assert "青浦区数字农业补贴" in kb.load().manifest["documents"]  # the new index is in place
    assert (kb.corpus_dir / PENDING / "add" / new.name).exists()  # its file waits in .pending
    kb.sync()  # any writer settles it first: the pending file matches the manifest, so it goes in
    assert (kb.corpus_dir / new.name).read_text(encoding="utf-8") == NEW_DOC
    assert not list((kb.corpus_dir / PENDING).glob("*/*"))
    assert "青浦区数字农业补贴" in kb.load().manifest["documents"]


@pytest.mark.parametrize("point", ["manifest", "commit"])
def test_remove_killed_leaves_corpus_and_index_agreeing(built, point):
    kb, new = built
    assert writer(kb.corpus_dir, kb.index_dir, "add", str(new)).returncode == 0
    r = writer(kb.corpus_dir, kb.index_dir, "remove", "青浦区数字农业补贴", "--crash", point)
    assert r.returncode == -9, r.stderr
    kb.sync()
    indexed = {d["source"] for d in kb.load().manifest["documents"].values()}
    assert indexed == set(corpus_state(kb.corpus_dir)) - {SEED_NAME + ".meta.json"}
    assert (new.name in indexed) is (point == "manifest")  # killed before the manifest: nothing was removed


def test_two_writers_at_once_both_end_up_in_the_index(built, tmp_path):
    kb, new = built
    other = new.with_name("第二个文件.txt")
    other.write_text(NEW_DOC.replace("青浦区", "松江区"), encoding="utf-8")
    first = writer(kb.corpus_dir, kb.index_dir, "add", str(new), "--embed-seconds", "2", wait=False)
    time.sleep(1.0)  # the first holds the lock, embedding slowly
    second = writer(kb.corpus_dir, kb.index_dir, "add", str(other), wait=False)
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    docs = kb.load().manifest["documents"]
    assert {"青浦区数字农业补贴", "第二个文件"} <= set(docs)
    assert {new.name, other.name} <= set(corpus_state(kb.corpus_dir))


def test_two_cli_add_processes_both_end_up_in_the_index(tmp_path):
    """The real command, twice at the same time, on the default embedder."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    files = []
    for name, district in (("青浦区补贴.txt", "青浦区"), ("松江区补贴.txt", "松江区")):
        f = tmp_path / name
        f.write_text(NEW_DOC.replace("青浦区", district), encoding="utf-8")
        files.append(f)
    procs = [subprocess.Popen([sys.executable, "-m", "assistant", "add", str(f), "--corpus", str(corpus),
                               "--index", str(index)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for f in files]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "新增 1" in out
    manifest = json.loads((index / store.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["documents"]) == {"青浦区补贴", "松江区补贴"}
    assert sorted(p.name for p in corpus.iterdir() if p.is_file()) == ["松江区补贴.txt", "青浦区补贴.txt"]


def test_a_held_lock_gives_a_clear_message_after_the_timeout(built, monkeypatch):
    kb, new = built
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.3)
    before = kb.load().manifest["documents"]
    held, release = threading.Event(), threading.Event()

    def hold():
        with store.write_lock(kb.index_dir):
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        t0 = time.monotonic()
        with pytest.raises(store.IndexBusy, match=r"正由另一个进程（pid \d+）写入，等待 0.3 秒后仍未完成；请稍后重试"):
            kb.add(new)
        assert 0.3 <= time.monotonic() - t0 < 2
        assert kb.load().manifest["documents"] == before  # readers are not blocked by the writer
    finally:
        release.set()
        t.join()
    kb.add(new)
    assert "青浦区数字农业补贴" in kb.load().manifest["documents"]


def test_save_keeps_the_data_folder_the_manifest_points_to(built, monkeypatch):
    """Another writer switching the manifest while we save: its data folder survives our clean-up."""
    kb, new = built
    index = kb.load()
    theirs = kb.index_dir / "data-theirs"
    (kb.index_dir / index.manifest["data"]).rename(theirs)
    real = store._write_json

    def and_then_theirs(path, data):
        real(path, data)
        real(path, {**data, "data": theirs.name})  # the other writer's manifest lands right after ours

    monkeypatch.setattr(store, "_write_json", and_then_theirs)
    store.save(index, kb.index_dir)
    assert theirs.is_dir()
    monkeypatch.setattr(store, "_write_json", real)
    assert store.load(kb.index_dir).manifest["data"] == "data-theirs"


def test_service_picks_up_an_index_written_by_another_process(built):
    from assistant.serving.service import Service

    kb, new = built
    service = Service(kb, Assistant(Retriever(kb.load(), kb.embedder), None))
    before = service.current
    assert service.current is before  # no change on disk: the same snapshot
    r = writer(kb.corpus_dir, kb.index_dir, "add", str(new))
    assert r.returncode == 0, r.stderr
    assert "青浦区数字农业补贴" in service.documents()
    assert service.current is not before
    hit = service.current.assistant.retriever.search("家庭农场无人机植保作业补贴", 3)[0]
    assert hit.chunk.doc_id == "青浦区数字农业补贴" and hit.chunk.path_str == "一、支持对象 > 1、无人机植保作业补贴"
