"""Resumable embedding: a build killed (SIGKILL) part-way embeds only what is missing when it runs again."""
import subprocess
import sys
import textwrap

import numpy as np
from conftest import ROOT
from fakes import BigramEmbedder

from assistant.store import index as store
from assistant.store.knowledge import STAGING, KnowledgeBase
from assistant.store.staging import EmbeddingStage

DOCS, ITEMS = 6, 16


def write_corpus(folder):
    folder.mkdir()
    for d in range(DOCS):
        items = "\n".join(f"{i + 1}、第{d}号文件第{i + 1}项：对第{i}类企业给予{d * 10 + i}万元支持。"
                          f"申请材料报送区商务委审核。(责任部门:市商务委)" for i in range(ITEMS))
        (folder / f"plan-{d}.txt").write_text(f"第{d}号促进措施\n一、支持措施\n{items}\n", encoding="utf-8")


KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from pathlib import Path
    from fakes import BigramEmbedder
    from assistant.store import staging
    from assistant.store.knowledge import KnowledgeBase

    staging.BATCH = 16

    class Dying(BigramEmbedder):
        def embed_batch(self, texts, *, query):
            if self.calls == {die_at} - 1:
                os.kill(os.getpid(), signal.SIGKILL)  # inside the call: this batch is never staged
            return super().embed_batch(texts, query=query)

    KnowledgeBase(Path({corpus!r}), Path({index!r}), Dying()).sync()
""")


def test_a_killed_build_reruns_embedding_only_the_missing_batches(tmp_path, monkeypatch):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus)
    script = KILLED_BUILD.format(root=str(ROOT), tests=str(ROOT / "tests"), corpus=str(corpus), index=str(index_dir),
                                 die_at=5)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == -9, r.stderr  # really killed, by SIGKILL
    assert not (index_dir / "manifest.json").exists()
    assert len(list((index_dir / STAGING).glob("batch-*.npz"))) == 4  # calls 1–4 finished, 16 units each

    monkeypatch.setattr("assistant.store.staging.BATCH", 16)
    embedder = BigramEmbedder()
    index, report = KnowledgeBase(corpus, index_dir, embedder).sync()
    units = sum(len(c.units) for c in index.chunks)
    assert units > 64 and embedder.embedded == units - 64  # only the rest is embedded
    assert report.embedded_chunks == len(index.chunks) > DOCS * ITEMS // 2
    assert not (index_dir / STAGING).exists()  # cleared once the index is saved

    clean = KnowledgeBase(corpus, tmp_path / "clean", BigramEmbedder()).sync()[0]
    assert np.allclose(index.vectors(), clean.vectors())
    assert store.load(index_dir).faiss_index.ntotal == units


def test_the_stage_reads_back_what_it_wrote_and_skips_unreadable_files(tmp_path):
    texts = [f"第{i}条 支持措施{i}" for i in range(40)]
    first = BigramEmbedder()
    stage = EmbeddingStage(tmp_path / "s", first, batch=16)
    vectors = stage.embed(texts)
    assert first.embedded == 40 and len(list((tmp_path / "s").glob("batch-*.npz"))) == 3
    torn = sorted((tmp_path / "s").glob("batch-*.npz"))[0]
    lost = len(np.load(torn)["keys"])
    torn.write_bytes(b"torn")
    again = BigramEmbedder()
    assert np.allclose(EmbeddingStage(tmp_path / "s", again, batch=16).embed(texts), vectors)
    assert again.embedded == lost  # only the unreadable batch's texts
    other = BigramEmbedder()
    other.name = "test/another-model"
    EmbeddingStage(tmp_path / "s", other, batch=16).embed(texts[:5])
    assert other.embedded == 5  # vectors of another embedder are never reused


def test_shards_staged_apart_and_merged_leave_nothing_to_embed(tmp_path):
    import shutil

    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    staged = 0
    for part in (1, 2, 3):  # three "machines", each with its own staging folder
        staged += KnowledgeBase(corpus, tmp_path / f"m{part}", BigramEmbedder()).stage(part, 3)
        for f in (tmp_path / f"m{part}" / STAGING).glob("batch-*.npz"):
            (tmp_path / "index" / STAGING).mkdir(parents=True, exist_ok=True)
            shutil.copy(f, tmp_path / "index" / STAGING / f.name)
    final = BigramEmbedder()
    index, _ = KnowledgeBase(corpus, tmp_path / "index", final).sync()
    assert final.embedded == 0 and staged == sum(len(c.units) for c in index.chunks)


def test_add_reports_each_stage_and_every_batch_embedded(tmp_path):
    """An upload can show where it is: the file read, chunked, its sentence units embedded batch by batch, saved."""
    from conftest import UPLOAD_TEXT

    kb = KnowledgeBase(tmp_path / "corpus", tmp_path / "index", BigramEmbedder())
    write_corpus(kb.corpus_dir)
    kb.sync()
    new = tmp_path / "青浦区数字农业补贴.txt"
    new.write_text(UPLOAD_TEXT * 8, encoding="utf-8")  # long enough for several batches of 16
    heard = []
    _, report = kb.add(new, on_progress=lambda stage, done, total: heard.append((stage, done, total)))
    units = [e for e in heard if e[0] == "向量化"]
    total = units[0][2]
    assert report.added == ["青浦区数字农业补贴"] and total > 32
    assert heard == [("读取", 0, 1), ("切分", 0, 1), *units, ("保存索引", 0, 1)]
    assert units == [("向量化", n, total) for n in [*range(0, total, 16), total]]
