"""Quotes are whole sentences: a sentence unit is a scoring piece (a long sentence is cut at a comma into several),
but what the extractive answer and 原文要点 quote starts and ends on sentence boundaries of the Chinese text."""
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.answering.extractive import compose, quote_lines, select
from assistant.config import ChunkingConfig
from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import load_document
from assistant.records import Document
from conftest import ROOT

LIBRARY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "shanghai-regulations"
SEED = ROOT / "corpus" / "shanghai-online-new-economy-action-plan-2020-2022.txt"
# regulations with sentences longer than a unit (cut at a comma into several units)
REGULATIONS = ("上海市产品质量条例(2012-04-19).md", "上海口岸服务条例(2020-05-14).md", "上海市不动产登记若干规定(2020-11-27).md")
ENDS_SENTENCE = re.compile(r"[。！？；!?;]+[”’」』）)】〕》\"']*$")  # a sentence end and its closing quotes
PROPERTY = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def chunks_of(paths):
    return [c for p in paths for c in chunk_document(load_document(p), ChunkingConfig()) if c.units]


def corpus_chunks():
    paths = [SEED]
    if LIBRARY.is_dir():
        paths += [LIBRARY / name for name in REGULATIONS]
    elif os.environ.get("CI") == "true":
        pytest.fail(f"regulations library not found at {LIBRARY}")
    return chunks_of(paths)


CHUNKS = corpus_chunks()


QUOTE_LINE = re.compile(r"^- .+?：“(.*)”\[(\d+)\]$", re.S)


def quoted(chunk, ui) -> str:
    """What the extractive answer quotes for unit `ui` of a chunk (through quote_lines, as answers do)."""
    return QUOTE_LINE.match(quote_lines([chunk], [(0, ui)])[0]).group(1)


def assert_whole(chunk, ui):
    """The quote of unit `ui` contains the unit, starts where a sentence or line starts and ends after 。！？； (with
    its closing quotes), at a line end, or at the end of the clause."""
    us, ue = chunk.units[ui]
    text, quote = chunk.text, quoted(chunk, ui)
    s = max(i for i in range(ue) if text.startswith(quote, i))  # where it stands in the clause, over the unit
    e = s + len(quote)
    assert quote.strip() == quote
    assert s <= us or text[us:s].strip("”’」』）)】〕》\"'") == "", (quote, text[us:ue])
    assert e >= ue, (quote, text[us:ue])
    before = text[:s].rstrip(" \t")
    assert s == 0 or before.endswith("\n") or ENDS_SENTENCE.search(before), ("starts mid-sentence", quote)
    assert ENDS_SENTENCE.search(quote) or e == len(text.rstrip()) or text[e:].lstrip(" \t").startswith("\n"), \
        ("ends mid-sentence", quote)


@given(st.data())
@PROPERTY
def test_every_quote_of_the_seed_and_regulations_is_whole_sentences(data):
    chunk = data.draw(st.sampled_from(CHUNKS))
    assert_whole(chunk, data.draw(st.integers(0, len(chunk.units) - 1)))


@given(st.data())
@PROPERTY
def test_composed_answers_quote_whole_sentences(data):
    """compose / quote_lines (the extractive answer and 原文要点): every quoted line ends with a sentence end, or
    its quote is a whole line or clause."""
    chunks = data.draw(st.lists(st.sampled_from(CHUNKS), min_size=1, max_size=3, unique_by=lambda c: c.id))
    scores = [[data.draw(st.floats(0.7, 0.95)) for _ in c.units] for c in chunks]
    chosen = select("问题", chunks, scores)
    for (ci, ui), line in zip(chosen, quote_lines(chunks, chosen)):
        assert line.endswith(f"“{quoted(chunks[ci], ui)}”[{ci + 1}]")
        assert_whole(chunks[ci], ui)
    quotes = [(ci, quoted(chunks[ci], ui)) for ci, ui in chosen]
    assert not any(a == c and (q1 in q2 or q2 in q1) for i, (a, q1) in enumerate(quotes)
                   for c, q2 in quotes[i + 1:]), "one sentence quoted twice"
    assert compose(chunks, chosen).endswith("\n".join(quote_lines(chunks, chosen)))


PUNCTUATION = list("，，，，，，，，、、、、：“”（）。！？；\n") + ["。”", "；\n"]  # long sentences are common


@given(st.lists(st.tuples(st.text("政策企业服务支持平台建设发展", min_size=5, max_size=60), st.sampled_from(PUNCTUATION)),
                min_size=1, max_size=30))
@PROPERTY
def test_random_chinese_text_is_quoted_in_whole_sentences(pieces):
    text = "".join(words + mark for words, mark in pieces).strip()
    if not text:
        return
    for chunk in chunk_document(Document("d", "d.txt", "", text), ChunkingConfig()):
        for ui in range(len(chunk.units)):
            assert_whole(chunk, ui)


def test_a_long_sentence_is_quoted_whole_not_cut_at_a_comma():
    """The 生态园 sentence is longer than a unit: cut at "集平台、技术、" before, it is quoted to its 。 now."""
    chunk = next(c for c in chunks_of([SEED]) if c.item == "23")
    ui = next(i for i, (s, e) in enumerate(chunk.units) if chunk.text[s:e].endswith("集平台、技术、"))
    assert quoted(chunk, ui) == (
        "结合人工智能、数字经济、工业互联网等国家级创新载体创建工作,按照全市产业地图布局,通过老厂房、老仓库、工业标准厂房和"
        "商务楼宇等存量资源的改造提升,打造一批特色鲜明、功能错位、相对集聚的在线新经济生态园,构建以在线新产业为核心,集平台、"
        "技术、应用于一体的创新创业生态体系,营造在线新经济发展良好生态。")
    assert quoted(chunk, ui + 1) == quoted(chunk, ui)  # its second piece quotes the same sentence
    assert quote_lines([chunk], [(0, ui)]) == [f"- 23、建设在线新经济生态园：“{quoted(chunk, ui)}”[1]"]


def test_a_closing_quote_after_the_full_stop_belongs_to_the_sentence():
    text = "第一条 会议指出：“要加快发展。”本条例自公布之日起施行，原办法同时废止。"
    chunk = chunk_document(Document("d", "d.txt", "", text), ChunkingConfig())[0]
    assert [quoted(chunk, ui) for ui in range(len(chunk.units))] == [
        "第一条 会议指出：“要加快发展。”", "本条例自公布之日起施行，原办法同时废止。"]
