"""Checks on eval/questions/xiongan-policies.jsonl against the notices it was written from.

Evidence spans are verbatim text of a gold notice as the loader reads it (tables as rows, images and OCR blocks
dropped), since that is the text retrieval is scored on; a notice that repeats a sentence in its attachment may hold a
span twice. Must phrases are in the reference and in the gold notice. An unanswerable row is a near-miss of one of
the three shapes of #25 and keeps, as evidence, the related clause a user would be shown instead of an answer.
"""
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

from conftest import XIONGAN, require_library

from assistant.ingest.documents import load_document
from assistant.normalize import normalize

QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "questions" / "xiongan-policies.jsonl"
LIBRARY = require_library(XIONGAN)
TYPES = {"number", "date", "condition", "department", "list", "fact", "unanswerable"}
SHAPES = {"place", "subject", "unquantified"}  # another place; the asked fact of another subject; never quantified

QS = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@lru_cache(maxsize=None)
def text(name: str) -> str:
    return normalize(load_document(LIBRARY / name).text)


def test_size_ids_types_and_shapes():
    assert len(QS) >= 100
    assert [q["id"] for q in QS] == [f"x{i:03d}" for i in range(1, len(QS) + 1)]
    assert set(Counter(q["type"] for q in QS)) <= TYPES
    near_misses = [q for q in QS if not q["answerable"]]
    assert len(near_misses) >= 30
    assert all((q["type"] == "unanswerable") == (not q["answerable"]) for q in QS)
    shapes = Counter(q["shape"] for q in near_misses)
    assert set(shapes) == SHAPES and min(shapes.values()) >= 10, shapes


def test_evidence_is_verbatim_text_of_a_gold_notice():
    for q in QS:
        assert q["docs"] and q["evidence"], q["id"]
        for span in q["evidence"]:
            assert any(normalize(span) in text(name) for name in q["docs"]), f"{q['id']}: {span!r} not in {q['docs']}"


def test_must_phrases_are_in_the_reference_and_the_gold_notice():
    for q in QS:
        assert bool(q["must"]) == q["answerable"], q["id"]
        for phrase in q["must"]:
            assert normalize(phrase) in normalize(q["reference"]), f"{q['id']}: reference lacks {phrase!r}"
            assert any(normalize(phrase) in text(name) for name in q["docs"]), f"{q['id']}: {phrase!r}"
