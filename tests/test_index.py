import json
from pathlib import Path

import numpy as np
import pytest

from assistant.store import index as store
from assistant.config import ChunkingConfig, IndexConfig
from assistant.errors import DocumentError, IndexCorrupt, IndexMismatch, IndexNotBuilt, UnsupportedDocument
from assistant.store.faiss_store import build_faiss
from assistant.store.knowledge import KnowledgeBase
from assistant.records import Chunk
from fakes import BigramEmbedder

FIXTURES = Path(__file__).parent / "fixtures"
SEED_ID = "shanghai-online-new-economy-action-plan-2020-2022"


def kb(corpus, index_dir, embedder=None, **kw) -> KnowledgeBase:
    return KnowledgeBase(corpus, index_dir, embedder or BigramEmbedder(), **kw)


def test_build_save_load_round_trip(corpus_dir, tmp_path):
    base = kb(corpus_dir, tmp_path / "index")
    built, report = base.sync()
    assert report.added == [SEED_ID] and report.embedded_chunks == len(built.chunks) == 27
    loaded = base.load()
    assert [c.id for c in loaded.chunks] == [c.id for c in built.chunks]
    assert loaded.chunks[10] == built.chunks[10]
    np.testing.assert_allclose(loaded.vectors(), built.vectors(), atol=1e-6)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == "test/bigram-hash" and manifest["dim"] == 256
    assert manifest["chunking"] == {"max_chars": 400, "version": 2}
    assert manifest["documents"][SEED_ID]["doc_number"] == "沪府办发〔2020〕1号"
    assert len(manifest["documents"][SEED_ID]["sha256"]) == 64
    # Chinese stays readable in the plain files.
    data = tmp_path / "index" / manifest["data"]
    assert "拓展生鲜电商零售业态" in (data / "chunks.jsonl").read_text(encoding="utf-8")


def test_incremental_update_embeds_only_the_changed_document(corpus_dir, tmp_path):
    emb = BigramEmbedder()
    base = kb(corpus_dir, tmp_path / "index", emb)
    first, _ = base.sync()
    seed_chunks = len(first.chunks)
    (corpus_dir / "extra.txt").write_text("某市措施\n一、总则\n1、支持智能工厂建设。(责任部门:市经信委)\n", encoding="utf-8")
    emb.embedded = 0
    index, report = base.sync()
    assert report.added == ["extra"] and report.unchanged == [SEED_ID]
    assert emb.embedded == 2 and len(index.chunks) == seed_chunks + 2  # 2 chunks of one unit each
    # Unchanged documents keep their vectors exactly.
    old = {c.id: v for c, v in zip(first.chunks, first.vectors())}
    for c, v in zip(index.chunks, index.vectors()):
        if c.doc_id == SEED_ID:
            np.testing.assert_array_equal(v, old[c.id])
    (corpus_dir / "extra.txt").write_text("某市措施\n一、总则\n1、支持智能工厂建设。(责任部门:市科委)\n", encoding="utf-8")
    emb.embedded = 0
    index, report = base.sync()
    assert report.updated == ["extra"] and emb.embedded == 2
    assert [c.departments for c in index.chunks if c.doc_id == "extra"][1] == ("市科委",)
    (corpus_dir / "extra.txt").unlink()
    emb.embedded = 0
    index, report = base.sync()
    assert report.removed == ["extra"] and emb.embedded == 0 and len(index.chunks) == seed_chunks
    _, report = base.sync()
    assert report.unchanged == [SEED_ID] and not (report.added or report.updated or report.removed)


def test_bad_file_is_reported_and_nothing_indexed_is_lost(corpus_dir, tmp_path):
    base = kb(corpus_dir, tmp_path / "index")
    base.sync()
    (corpus_dir / "empty.txt").write_bytes(b"")
    (corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    index, report = base.sync()
    assert sorted(Path(e.path).name for e in report.errors) == ["broken.pdf", "empty.txt"]
    assert {c.doc_id for c in index.chunks} == {SEED_ID}
    with pytest.raises(DocumentError, match="broken.pdf"):
        base.add(corpus_dir / "broken.pdf")
    with pytest.raises(UnsupportedDocument, match="notes.xyz"):
        base.add(tmp_path / "notes.xyz")
    assert len(base.load().chunks) == 27


def test_a_document_that_turns_corrupt_keeps_its_previous_entries(corpus_dir, tmp_path):
    (corpus_dir / "extra.txt").write_text("某市措施\n1、支持智能工厂建设。\n", encoding="utf-8")
    base = kb(corpus_dir, tmp_path / "index")
    base.sync()
    (corpus_dir / "extra.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    index, report = base.sync()
    assert [Path(e.path).name for e in report.errors] == ["extra.txt"]
    assert any(c.doc_id == "extra" for c in index.chunks)


def test_add_and_remove(corpus_dir, tmp_path):
    base = kb(corpus_dir, tmp_path / "index")
    base.sync()
    src = tmp_path / "outside" / "new-policy.txt"
    src.parent.mkdir()
    src.write_text("某区数字经济措施\n1、对数字化转型项目给予支持。(责任部门:区科委)\n", encoding="utf-8")
    index, report = base.add(src)
    assert report.added == ["new-policy"] and (corpus_dir / "new-policy.txt").exists()
    assert "new-policy" in index.manifest["documents"]
    index, report = base.remove("new-policy.txt")
    assert report.removed == ["new-policy"] and not (corpus_dir / "new-policy.txt").exists()
    assert {c.doc_id for c in base.load().chunks} == {SEED_ID}
    with pytest.raises(KeyError, match="no document 'nope'"):
        base.remove("nope")


def test_loading_with_other_settings_is_refused(corpus_dir, tmp_path):
    kb(corpus_dir, tmp_path / "index").sync()

    class Other(BigramEmbedder):
        name = "test/other"

    with pytest.raises(IndexMismatch, match="built with embedder 'test/bigram-hash'"):
        kb(corpus_dir, tmp_path / "index", Other()).load()
    with pytest.raises(IndexMismatch, match="chunking"):
        kb(corpus_dir, tmp_path / "index", chunking=ChunkingConfig(max_chars=200)).load()
    with pytest.raises(IndexNotBuilt):
        kb(corpus_dir, tmp_path / "nowhere").load()


def test_crash_mid_write_leaves_previous_index_loadable(corpus_dir, tmp_path, monkeypatch):
    base = kb(corpus_dir, tmp_path / "index")
    before, _ = base.sync()
    (corpus_dir / "extra.txt").write_text("某市措施\n1、支持智能工厂建设。\n", encoding="utf-8")

    def crash(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write_json", crash)
    with pytest.raises(OSError, match="disk full"):
        base.sync()
    monkeypatch.undo()
    after = base.load()
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]


def test_corrupt_index_gives_clear_error(corpus_dir, tmp_path):
    base = kb(corpus_dir, tmp_path / "index")
    base.sync()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    chunks = tmp_path / "index" / manifest["data"] / "chunks.jsonl"
    lines = chunks.read_text(encoding="utf-8").splitlines()
    chunks.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"vectors for \d+ sentence units, 24 chunks"):
        base.load()
    (tmp_path / "index" / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="not valid JSON"):
        base.load()


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_index_kinds_find_the_same_nearest_neighbour(kind):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(400, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    # 200 chunks of two sentence units each: rows 2i and 2i+1 belong to chunk i.
    chunks = [Chunk(id=str(i), doc_id="d", source="d.txt", title="", doc_number="", text="甲。乙。", start=0,
                    end=4, units=((0, 2), (2, 4))) for i in range(200)]
    index = store.VectorIndex(chunks, build_faiss(vecs, IndexConfig(kind=kind)))
    for row in (3, 150, 399):
        assert index.search(vecs[row], 1)[0][0] == row // 2
        assert index.search(vecs[row], 1)[0][2] == row % 2
    assert [r for r, _, _ in index.search(vecs[7], 5, allowed=[3, 8, 9])][0] == 3
    assert {r for r, _, _ in index.search(vecs[7], 5, allowed=[8, 9])} == {8, 9}
    assert len(index.search(vecs[7], 5)) == 5


def test_a_document_read_by_older_rules_is_read_anew_without_embedding(corpus_dir, tmp_path):
    base = kb(corpus_dir, tmp_path / "index")
    base.sync()
    path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    stored = manifest["documents"][SEED_ID]
    stored.update(read_version="0", doc_number="沪府办发〔2019〕9号", measures=[])
    stored["meta"]["doc_number"] = "沪府办发〔2019〕9号"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    chunks = tmp_path / "index" / manifest["data"] / "chunks.jsonl"
    chunks.write_text(chunks.read_text(encoding="utf-8").replace("沪府办发〔2020〕1号", "沪府办发〔2019〕9号"), encoding="utf-8")
    assert {c.doc_number for c in base.load().chunks} == {"沪府办发〔2019〕9号"}
    index, report = base.sync()
    assert (report.reread, report.embedded_chunks) == ([SEED_ID], 0)
    assert index.manifest["documents"][SEED_ID]["doc_number"] == "沪府办发〔2020〕1号"
    assert {c.doc_number for c in index.chunks} == {"沪府办发〔2020〕1号"}
