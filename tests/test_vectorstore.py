"""One contract over every vector store: FAISS (in-process) and Milvus (milvus-lite, started by the test).

Both must return the same hits — exact ids, in order — as brute force over the same vectors, for the same
filters; under CI (conftest.is_ci) a missing pymilvus or milvus-lite fails instead of skipping (conftest.require).
"""
import importlib.util

import numpy as np
import pytest
from conftest import require

from assistant.config import IndexConfig, StoreConfig
from assistant.store.stores import make_store, open_store
from assistant.store.vectorstore import Rows, StoreFilter

DIM, N = 32, 300
STATUS = ["现行有效", "已被新版本取代", "已过期"]
KINDS = ["管理办法", "条例", "实施方案", "办法"]
DEPTS = ["市商务委|市经信委", "市经信委", "区商务委|市财政局", ""]
ISSUERS = ["上海市人民代表大会常务委员会", "上海市人民政府", "上海市商务委员会"]
REGIONS = ["上海市", "上海市浦东新区", ""]


def milvus_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("pymilvus", "milvus_lite"))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(N, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    i = np.arange(N)
    rows = Rows.build(i, i // 3, 2015 + i % 10, doc_id=[f"doc{x % 12}" for x in i],
                      status=[STATUS[x % 3] for x in i], departments=[DEPTS[x % 4] for x in i],
                      kind=[KINDS[(x // 12) % 4] for x in i], issuer=[ISSUERS[x % 5 % 3] for x in i],
                      region=[REGIONS[x % 7 % 3] for x in i])
    return vectors, rows


@pytest.fixture(params=["faiss", "milvus"])
def store(request, data, tmp_path):
    vectors, rows = data
    if request.param == "milvus":
        require(milvus_available(), "pymilvus / milvus-lite are not installed")
        config = StoreConfig(kind="milvus", milvus_uri=str(tmp_path / "milvus.db"))
    else:
        config = StoreConfig()
    s = make_store(config, DIM, IndexConfig(kind="flat"), owner=str(tmp_path))
    s.add(vectors, rows)
    yield s
    s.close()


FILTERS = {
    "none": None,
    "docs": StoreFilter(docs=("doc3", "doc7")),
    "status": StoreFilter(status=("现行有效",)),
    "department": StoreFilter(department="商务委"),
    "department-whole": StoreFilter(department="市经信委"),
    "kind-suffix": StoreFilter(kind="办法"),
    "issuer": StoreFilter(issuer="人民政府"),
    "region": StoreFilter(region="浦东"),
    "years": StoreFilter(years=(2018, 2020)),
    "chunks": StoreFilter(chunks=(5, 17, 40, 41, 99)),
    "combined": StoreFilter(status=("现行有效", "已过期"), department="市", years=(2016, 2023), kind="办法"),
    "matches-nothing": StoreFilter(docs=("doc3",), years=(1990, 1991)),
    "no-chunks": StoreFilter(chunks=()),
}


def brute_force(vectors, rows, query, k, where):
    allowed = rows.mask(where) if where else np.ones(len(rows), bool)
    scores = vectors @ query
    order = [int(i) for i in np.argsort(-scores) if allowed[i]]
    return order[:k]


@pytest.mark.parametrize("name", list(FILTERS))
def test_same_hits_as_exact_search_for_every_filter(store, data, name):
    vectors, rows = data
    where = FILTERS[name]
    for q in (0, 13, 250):
        hits = store.search(vectors[q], 10, where)
        assert [i for i, _ in hits] == brute_force(vectors, rows, vectors[q], 10, where)
        assert all(a >= b - 1e-6 for (_, a), (_, b) in zip(hits, hits[1:]))
        if hits:
            assert hits[0][1] == pytest.approx(float(vectors[hits[0][0]] @ vectors[q]), abs=1e-5)


def test_exact_expected_ids_for_one_query(store, data):
    vectors, _ = data
    hits = store.search(vectors[13], 3, StoreFilter(docs=("doc1",)))
    assert hits[0][0] == 13  # itself (13 % 12 == 1)
    assert [i for i, _ in hits] == [13, 25, 109]


def test_the_mask_and_the_filter_expression_agree_on_what_a_filter_allows(data):
    _, rows = data
    assert int(rows.mask(FILTERS["status"]).sum()) == 100
    assert int(rows.mask(FILTERS["department"]).sum()) == 150  # 市商务委 and 区商务委 rows
    assert int(rows.mask(FILTERS["kind-suffix"]).sum()) == 156  # 管理办法 and 办法, not 条例 or 实施方案
    assert int(rows.mask(FILTERS["chunks"]).sum()) == 15


def test_count_delete_and_vectors(store, data):
    vectors, rows = data
    assert store.count() == N
    assert np.allclose(store.vectors([5, 0, 299]), vectors[[5, 0, 299]], atol=1e-6)
    assert store.delete(["doc0", "doc5"]) == 50
    assert store.count() == N - 50
    hits = store.search(vectors[0], 10)
    assert all(rows.value("doc_id", i) not in ("doc0", "doc5") for i, _ in hits)
    assert [i for i, _ in hits] == brute_force(vectors, rows, vectors[0], 10,
                                               StoreFilter(docs=tuple(f"doc{d}" for d in range(12) if d not in (0, 5))))


def test_a_saved_store_opens_with_the_same_hits(store, data, tmp_path):
    vectors, rows = data
    folder = tmp_path / "data"
    folder.mkdir()
    described = store.save(folder)
    before = store.search(vectors[42], 10, FILTERS["combined"])
    if described["kind"] == "milvus":
        assert described["uri"] == "milvus.db"  # relative to the index folder (tmp_path)
    reopened = open_store(described, folder, tmp_path, rows)
    after = reopened.search(vectors[42], 10, FILTERS["combined"])
    assert [i for i, _ in after] == [i for i, _ in before]
    assert [s for _, s in after] == pytest.approx([s for _, s in before], abs=1e-6)
    assert reopened.count() == N


def test_filters_with_wildcards_or_quotes_are_refused():
    with pytest.raises(ValueError, match="may not contain"):
        StoreFilter(department="市%委")
    with pytest.raises(ValueError, match="may not contain"):
        StoreFilter(docs=('a"b',))


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_kinds_find_each_vector_itself(data, tmp_path, kind):
    vectors, rows = data
    stores = [make_store(StoreConfig(), DIM, IndexConfig(kind=kind))]
    if milvus_available():
        stores.append(make_store(StoreConfig(kind="milvus", milvus_uri=str(tmp_path / "m.db")), DIM,
                                 IndexConfig(kind=kind), n_hint=N))
    for s in stores:
        s.add(vectors, rows)
        for q in (3, 150, 299):
            assert s.search(vectors[q], 1)[0][0] == q
        assert {i for i, _ in s.search(vectors[7], 5, StoreFilter(chunks=(8, 9)))} <= set(range(24, 30))


def test_the_milvus_expression_of_a_filter():
    require(milvus_available(), "pymilvus / milvus-lite are not installed")
    from assistant.store.milvus import expression

    assert expression(None) == expression(StoreFilter()) == ""
    assert expression(StoreFilter(docs=("plan-1",), status=("现行有效",), department="市商务委", kind="办法",
                                  issuer="人民政府", region="浦东", years=(2020, 2024), chunks=(1, 2))) == (
        '(doc_id in ["plan-1"]) and (status in ["现行有效"]) and (departments like "%市商务委%") and '
        '(kind like "%办法") and (issuer like "%人民政府%") and (region like "%浦东%") and '
        '(year >= 2020 and year <= 2024) and (chunk in [1, 2])')
    assert expression(StoreFilter(chunks=())) == "(chunk < 0)"  # an empty set allows nothing, never everything
