"""The knowledge base with its vectors in Milvus (milvus-lite, started by the test): built, searched, changed
and reloaded like the FAISS default, with the same hits over the seed corpus."""
import json
import subprocess
import sys

import pytest
from conftest import ROOT, require
from fakes import BigramEmbedder
from test_vectorstore import milvus_available

from assistant.config import StoreConfig
from assistant.retrieval.retrieve import Filters, Retriever
from assistant.serving import settings
from assistant.serving.cli import parser
from assistant.serving.wiring import store_config
from assistant.store import index as store
from assistant.store.knowledge import KnowledgeBase

QUERIES = ["生鲜电商有哪些支持措施？", "市教委负责哪些事项？", "直播电商", "在线医疗的责任部门", "无人配送"]


@pytest.fixture
def milvus(tmp_path):
    require(milvus_available(), "pymilvus / milvus-lite are not installed")
    return StoreConfig(kind="milvus", milvus_uri=str(tmp_path / "index" / "milvus.db"))


def test_the_seed_corpus_gives_the_same_hits_through_faiss_and_milvus(corpus_dir, tmp_path, milvus):
    embedder = BigramEmbedder()
    faiss_index, _ = KnowledgeBase(corpus_dir, tmp_path / "faiss", embedder).sync()
    milvus_index, _ = KnowledgeBase(corpus_dir, tmp_path / "index", embedder, store_config=milvus).sync()
    assert milvus_index.faiss_index is None and milvus_index.store.count() == faiss_index.store.count()
    a, b = Retriever(faiss_index, embedder), Retriever(milvus_index, embedder)
    for q in QUERIES:
        assert [h.chunk.id for h in a.search(q, 5)] == [h.chunk.id for h in b.search(q, 5)], q
        da, db = a.dense(q, 8), b.dense(q, 8)
        assert [(r, u) for r, _, u in da] == [(r, u) for r, _, u in db]  # same chunk rows, same best sentence
        assert [s for _, s, _ in da] == pytest.approx([s for _, s, _ in db], abs=1e-5)
    f = Filters(department="市商务委")
    assert [h.chunk.id for h in a.search(QUERIES[0], 5, f)] == [h.chunk.id for h in b.search(QUERIES[0], 5, f)]
    top = a.search(QUERIES[0], 1)[0].chunk
    assert top.path[-1] == "7、拓展生鲜电商零售业态"


def test_a_milvus_index_reloads_changes_and_drops_old_collections(corpus_dir, tmp_path, milvus):
    embedder = BigramEmbedder()
    kb = KnowledgeBase(corpus_dir, tmp_path / "index", embedder, store_config=milvus)
    built, _ = kb.sync()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"]["kind"] == "milvus" and manifest["store"]["uri"] == "milvus.db"
    assert not (tmp_path / "index" / manifest["data"] / "index.faiss").exists()
    loaded = kb.load()  # reopens the collection the manifest names
    q = embedder.embed_query(QUERIES[0])
    assert loaded.search(q, 5) == built.search(q, 5)
    assert kb.sync()[1].embedded_chunks == 0  # unchanged: nothing embedded, no new collection
    new = tmp_path / "district.txt"
    new.write_text("某区促进直播电商发展措施\n1、对直播基地给予最高200万元支持。(责任部门:区商务委)\n", encoding="utf-8")
    index, report = kb.add(new)
    assert report.added == ["district"] and report.embedded_chunks == 2  # title and item
    assert Retriever(index, embedder).search("直播基地给予支持", 1)[0].chunk.doc_id == "district"
    index, _ = kb.remove("district")
    assert all(c.doc_id != "district" for c in index.chunks)
    collections = index.store.client.list_collections()
    assert len(collections) == 2  # the current one and the one the previous manifest named
    assert json.loads((tmp_path / "index" / "manifest.json").read_text())["store"]["collection"] in collections


def test_switching_the_store_reuses_the_vectors(corpus_dir, tmp_path, milvus):
    embedder = BigramEmbedder()
    KnowledgeBase(corpus_dir, tmp_path / "index", embedder).sync()
    before = embedder.embedded
    index, report = KnowledgeBase(corpus_dir, tmp_path / "index", embedder, store_config=milvus).sync()
    assert embedder.embedded == before and report.embedded_chunks == 0
    assert store.store_kind(index.manifest) == "milvus"
    index, _ = KnowledgeBase(corpus_dir, tmp_path / "index", embedder).sync()  # and back
    assert store.store_kind(index.manifest) == "faiss" and index.faiss_index is not None
    assert embedder.embedded == before


def test_one_setting_selects_milvus(tmp_path):
    toml = tmp_path / "policy-qa.toml"
    toml.write_text('[kb]\nstore = "milvus"\nmilvus_uri = "index/milvus.db"\n', encoding="utf-8")
    assert settings.load(toml, {}) == {"store": "milvus", "milvus_uri": "index/milvus.db"}
    env = {"POLICY_QA_STORE": "milvus", "POLICY_QA_MILVUS_URI": "http://milvus:19530", "POLICY_QA_MILVUS_TOKEN": "t"}
    assert settings.load(tmp_path / "none.toml", env) == {"store": "milvus", "milvus_uri": "http://milvus:19530",
                                                          "milvus_token": "t"}
    args = parser().parse_args(["index", "--store", "milvus", "--milvus-uri", "index/milvus.db"])
    assert store_config(args) == StoreConfig(kind="milvus", milvus_uri="index/milvus.db")
    assert store_config(parser().parse_args(["list"])) == StoreConfig()  # default: FAISS
    with pytest.raises(ValueError, match="needs milvus_uri"):
        StoreConfig(kind="milvus")


@pytest.mark.slow
def test_cli_index_and_search_through_milvus(tmp_path):
    require(milvus_available(), "pymilvus / milvus-lite are not installed")
    import shutil

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    opts = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    run = lambda *a: subprocess.run([sys.executable, "-m", "assistant", *a], cwd=ROOT, capture_output=True,  # noqa: E731
                                    text=True, timeout=300)
    r = run("index", *opts, "--store", "milvus", "--milvus-uri", str(tmp_path / "index" / "milvus.db"))
    assert r.returncode == 0, r.stderr
    r = run("search", "生鲜电商有哪些支持措施？", "-k", "3", "--json", *opts)  # the manifest says where the vectors are
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)["hits"]
    assert hits[0]["path"] == "二、聚焦发展重点 > 7、拓展生鲜电商零售业态"  # as through FAISS (test_cli)
