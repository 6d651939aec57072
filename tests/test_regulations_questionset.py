"""Checks on eval/questions/shanghai-regulations.jsonl against the library it was written from.

Evidence spans are verbatim, unique text of a gold file's content (after `<!-- INFO END -->`, never the
adoption history); must phrases are in the reference and in the gold files (a "which regulation" question's
must phrase may be the gold file's title); numbers in references are the files'; a version question's
outdated span is text of the superseded version that the version in force no longer has.
"""
import json
import re
from collections import Counter
from pathlib import Path

from conftest import require_library
from gold import written_in, written_numbers

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "eval" / "questions" / "shanghai-regulations.jsonl"
LIBRARY = require_library()  # absent: the module is skipped (locally) or fails (under CI)
INFO_END = "<!-- INFO END -->"
TYPES = {"fact", "number", "which_doc", "department", "company", "paraphrase", "english", "version", "multi",
         "unanswerable"}
MIN_PER_TYPE = {"number": 20, "which_doc": 10, "department": 10, "company": 10, "english": 10, "version": 15,
                "multi": 8, "unanswerable": 30}
VERSION = re.compile(r"^(.*?)(?:\((\d{4}-\d{2}-\d{2})\))?\.md$")

QS = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def content(name: str) -> str:
    text = (LIBRARY / name).read_text(encoding="utf-8")
    return text.split(INFO_END, 1)[1] if INFO_END in text else text


def title(name: str) -> str:
    return (LIBRARY / name).read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()


def siblings(name: str) -> list[str]:
    """The other versions of the same regulation in the library."""
    base = VERSION.match(name).group(1)
    return [p.name for p in LIBRARY.glob("*.md") if p.name != name and VERSION.match(p.name).group(1) == base]


def test_size_ids_and_types():
    assert len(QS) >= 150
    assert [q["id"] for q in QS] == [f"r{i:03d}" for i in range(1, len(QS) + 1)]
    counts = Counter(q["type"] for q in QS)
    assert set(counts) <= TYPES, set(counts) - TYPES
    for kind, need in MIN_PER_TYPE.items():
        assert counts[kind] >= need, f"{kind}: {counts[kind]} < {need}"


def test_unanswerable_rows_have_no_gold():
    for q in QS:
        gold = (q["evidence"], q["must"], q["reference"], q["docs"])
        assert (q["type"] == "unanswerable") == (not q["answerable"]), q["id"]
        assert all(gold) if q["answerable"] else not any(gold), q["id"]


def test_gold_files_exist():
    for q in QS:
        for name in q["docs"]:
            assert (LIBRARY / name).is_file(), f"{q['id']}: no file {name!r}"


def test_evidence_is_unique_verbatim_content_of_a_gold_file():
    for q in QS:
        for span in q["evidence"]:
            counts = [content(name).count(span) for name in q["docs"]]
            assert 1 in counts, f"{q['id']}: evidence not verbatim once in {q['docs']}: {span!r} ({counts})"


def test_must_phrases_are_in_the_reference_and_the_gold_files():
    for q in [q for q in QS if q["answerable"]]:
        texts = [content(n) for n in q["docs"]] + ([title(n) for n in q["docs"]] if q["type"] == "which_doc" else [])
        for phrase in q["must"]:
            assert phrase in q["reference"], f"{q['id']}: reference lacks {phrase!r}"
            assert any(phrase in t for t in texts), f"{q['id']}: {phrase!r} is not in {q['docs']}"


def test_reference_numbers_are_the_files():
    for q in [q for q in QS if q["answerable"]]:
        texts = [content(n) for n in q["docs"]]
        unwritten = [n for n in written_numbers(q["reference"]) if not any(written_in(n, t) for t in texts)]
        assert not unwritten, f"{q['id']}: reference states {unwritten}, which its files do not (as written)"


def test_outdated_spans_belong_to_a_superseded_version_only():
    with_outdated = [q for q in QS if q.get("outdated")]
    assert len(with_outdated) >= 10
    for q in with_outdated:
        assert q["type"] == "version", q["id"]
        current = q["docs"][0]
        older = siblings(current)
        assert older, f"{q['id']}: {current} has no other version"
        for span in q["outdated"]:
            assert span not in content(current), f"{q['id']}: outdated span is still in force: {span!r}"
            assert any(span in content(o) for o in older), f"{q['id']}: outdated span not in {older}: {span!r}"
