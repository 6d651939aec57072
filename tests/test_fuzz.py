"""Property-based tests: random bytes and random Unicode into every loader and the chunker give a Document,
chunks, or a DocumentError — never another exception. Each loader's fuzz target runs for a bounded time."""
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import ChunkingConfig
from assistant.errors import DocumentError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import SUPPORTED_SUFFIXES, load_document
from assistant.records import Document
from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "docs"
SEEDS = {".txt": "smart-manufacturing-measures.txt", ".md": "public-data-open-measures.md",
         ".html": "youth-talent-housing-notice.html", ".htm": "youth-talent-housing-notice.html",
         ".pdf": "rural-ecommerce-support.pdf", ".docx": "elderly-care-subsidy-rules.docx"}
FUZZ_EXAMPLES = 300
FUZZ_SECONDS = 5.0  # per loader, a bound on a slow machine; ~1 s each here
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def load_or_domain_error(path: Path) -> Document | None:
    """load_document, with the one documented failure mode turned into None."""
    try:
        doc = load_document(path)
    except DocumentError:
        return None
    assert doc.text.strip() and doc.title.strip() and doc.doc_id == path.stem
    return doc


class Budget:
    """Stops a hypothesis run after `seconds` by making the remaining examples trivial."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.runs = 0

    def spent(self) -> bool:
        self.runs += 1
        return time.monotonic() > self.end


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """A real file with random byte flips, a truncation or random bytes spliced in: deep into the parser."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "splice"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(max_size=64))
    return bytes(data)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_fuzz_loader_raises_only_document_errors(suffix, tmp_path):
    budget = Budget(FUZZ_SECONDS)
    seed = (FIXTURES / SEEDS[suffix]).read_bytes()
    path = tmp_path / f"fuzz{suffix}"

    @FUZZ
    @given(st.one_of(st.binary(max_size=2048), mutated(seed)))
    def run(data: bytes) -> None:
        if budget.spent():
            return
        path.write_bytes(data)
        load_or_domain_error(path)

    run()
    assert budget.runs >= 20, f"only {budget.runs} inputs tried"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(text=st.text(max_size=600))
def test_random_unicode_text_files_load_or_fail_cleanly(suffix, text, tmp_path_factory):
    path = tmp_path_factory.mktemp("u") / f"doc{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_or_domain_error(path)


POLICY_CHARS = st.sampled_from(list("一二三四五六七八九十、，。；：（）()〔〕第章条款责任部门市商务委支持企业\n 　12345#*-—"))


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(text=st.one_of(st.text(min_size=1, max_size=800), st.lists(POLICY_CHARS, min_size=1, max_size=800).map("".join)),
       max_chars=st.integers(50, 600))
def test_chunker_on_random_unicode_keeps_offsets(text, max_chars):
    doc = Document(doc_id="d", source="d.txt", title="标题", text=text, meta={}, sha256="0")
    chunks = chunk_document(doc, ChunkingConfig(max_chars=max_chars))
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert all(0 <= s < e <= len(c.text) for s, e in c.units)


def test_oversized_file_and_text_are_domain_errors(tmp_path, monkeypatch):
    from assistant import limits
    from assistant.ingest import documents

    big = tmp_path / "big.txt"
    big.write_text("标题\n" + "支持企业发展。" * 10, encoding="utf-8")
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 50)
    with pytest.raises(limits.FileTooLarge, match=r"file too large \(0\.0 MB") as e:
        load_document(big)
    assert e.value.cn.startswith("文件过大")
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", limits.MAX_FILE_BYTES)
    monkeypatch.setattr(documents, "MAX_TEXT_CHARS", 40)
    with pytest.raises(limits.TextTooLong, match="73 characters; limit 40") as e:
        load_document(big)
    assert e.value.cn == "文件文字过多（73 字），上限为 40 字，请拆分后再上传"


def test_docx_decompression_bomb_is_refused(tmp_path, monkeypatch):
    from assistant.ingest import documents

    docx_file = FIXTURES / SEEDS[".docx"]
    assert load_document(docx_file).title
    monkeypatch.setattr(documents, "MAX_UNZIPPED_BYTES", 10_000)  # the fixture unzips to more than this
    with pytest.raises(DocumentError, match=r"bytes unzipped \(limit 10,000\)"):
        load_document(docx_file)


def test_pdf_with_an_unknown_stream_filter_is_a_document_error(tmp_path):
    """Found by the fuzzer: pypdf raises NotImplementedError for a filter name it does not know."""
    data = (FIXTURES / SEEDS[".pdf"]).read_bytes()
    assert b"/FlateDecode" in data
    bad = tmp_path / "bad-filter.pdf"
    bad.write_bytes(data.replace(b"/FlateDecode", b"/FlateDecodX"))
    with pytest.raises(DocumentError, match="corrupt or unreadable PDF: NotImplementedError"):
        load_document(bad)
