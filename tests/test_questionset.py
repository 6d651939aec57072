"""Checks on the evaluation question set eval/questions/seed.jsonl.

Every evidence span must be copied verbatim from the seed document (never from the
web-page residue after the closing paragraph), every must-phrase of an answerable
question must occur in the document, every answerable question has a reference answer
whose numbers and departments are the document's, and the set must cover all 23 numbered items.
"""
import json
import re
from collections import Counter
from pathlib import Path

from gold import CN_DIGITS, written_in, written_numbers

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "eval" / "questions" / "seed.jsonl"
DOC_NAME = "shanghai-online-new-economy-action-plan-2020-2022.txt"

ALLOWED_TYPES = {
    "fact", "number", "department", "dept_items", "company", "paraphrase",
    "english", "multi", "metadata", "unanswerable",
}
MIN_PER_TYPE = {
    "fact": 15, "number": 10, "department": 10, "dept_items": 5, "company": 10,
    "paraphrase": 10, "english": 8, "multi": 6, "metadata": 4, "unanswerable": 12,
}
MIN_QUESTIONS = 80
ID_RE = re.compile(r"q\d{3}")
ITEM_RE = re.compile(r"^(\d{1,2})、", re.M)
CLOSING_PREFIX = "支持各区、各开发区"
# How many things a reference itself lists ("市教委是两项工作的责任部门：第10项…和第20项…"): a count, not a number
# of the document.
COUNT = re.compile(rf"([{CN_DIGITS}]+)(项工作|处提到|个小节)")
LISTED_ITEM = re.compile(r"第\d+项")
CN_VALUE = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
OFFICE = re.compile(r"(?:市|区)[\u4e00-\u9fff]{1,12}?(?:委员会|办公厅|中心|委|局|办)")  # 市教委, 市政府办公厅 …
FIELDS = {
    "id": str, "question": str, "evidence": list, "must": list,
    "answerable": bool, "type": str,
}


def _doc_path() -> Path:
    corpus = REPO / "corpus" / DOC_NAME
    if corpus.exists():
        return corpus
    return Path(__file__).resolve().parents[2] / "shared" / "seed" / DOC_NAME


def _load_doc() -> tuple[str, str]:
    """Return (full text, body): body ends with the closing paragraph's line."""
    text = _doc_path().read_text(encoding="utf-8")
    m = re.search("^" + re.escape(CLOSING_PREFIX), text, re.M)
    assert m, f"closing paragraph starting {CLOSING_PREFIX!r} not found in {_doc_path()}"
    end = text.find("\n", m.start())
    return text, text if end == -1 else text[:end]


def _load_questions() -> list[dict]:
    rows = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise AssertionError(f"{QUESTIONS.name} line {n}: invalid JSON: {e}") from e
    return rows


def _item_ranges(body: str) -> list[tuple[int, int, int]]:
    """(item number, line start, line end) for every line starting with 'N、'."""
    out = []
    for m in ITEM_RE.finditer(body):
        end = body.find("\n", m.start())
        out.append((int(m.group(1)), m.start(), len(body) if end == -1 else end))
    return out


DOC_TEXT, DOC_BODY = _load_doc()
QS = _load_questions()


def test_file_has_enough_questions():
    assert len(QS) >= MIN_QUESTIONS, f"only {len(QS)} questions, need at least {MIN_QUESTIONS}"


def test_fields_present_and_typed():
    for i, q in enumerate(QS, 1):
        qid = q.get("id", f"<line {i}>")
        for name, typ in FIELDS.items():
            assert name in q, f"{qid}: missing field {name!r}"
            assert isinstance(q[name], typ), (
                f"{qid}: field {name!r} should be {typ.__name__}, got {type(q[name]).__name__}")
        assert q["question"].strip(), f"{qid}: empty question"
        for name in ("evidence", "must"):
            for x in q[name]:
                assert isinstance(x, str) and x.strip(), f"{qid}: {name} entries must be non-empty strings"


def test_ids_unique_and_well_formed():
    seen = Counter(q.get("id") for q in QS)
    for q in QS:
        qid = q.get("id")
        assert isinstance(qid, str) and ID_RE.fullmatch(qid), f"{qid!r}: id must look like q001"
        assert seen[qid] == 1, f"{qid}: duplicate id ({seen[qid]} times)"


def test_types_allowed():
    for q in QS:
        assert q["type"] in ALLOWED_TYPES, f"{q['id']}: unknown type {q['type']!r}"


def test_minimum_count_per_type():
    counts = Counter(q["type"] for q in QS)
    for typ, need in MIN_PER_TYPE.items():
        assert counts[typ] >= need, f"type {typ!r}: {counts[typ]} questions, need at least {need}"


def test_unanswerable_iff_empty_evidence():
    for q in QS:
        qid = q["id"]
        if q["answerable"]:
            assert q["evidence"], f"{qid}: answerable but evidence is empty"
            assert q["must"], f"{qid}: answerable but must is empty"
            assert q["type"] != "unanswerable", f"{qid}: type 'unanswerable' but answerable is true"
        else:
            assert not q["evidence"], f"{qid}: unanswerable but has evidence"
            assert not q["must"], f"{qid}: unanswerable but has must phrases"
            assert q["type"] == "unanswerable", f"{qid}: answerable is false but type is {q['type']!r}"


def test_evidence_verbatim_in_document_body():
    for q in QS:
        for span in q["evidence"]:
            in_text, in_body = span in DOC_TEXT, span in DOC_BODY  # keep pytest from printing the whole document
            assert in_text, f"{q['id']}: evidence not found verbatim in document: {span!r}"
            assert in_body, f"{q['id']}: evidence only occurs in the web-page residue: {span!r}"


def test_evidence_spans_unambiguous():
    # A span that occurs twice cannot be mapped to one place (e.g. identical 责任部门 lists).
    for q in QS:
        for span in q["evidence"]:
            n = DOC_BODY.count(span)
            assert n <= 1, f"{q['id']}: evidence occurs {n} times in document, make it specific: {span!r}"


def test_must_phrases_in_document():
    for q in QS:
        if not q["answerable"]:
            continue
        for phrase in q["must"]:
            found = phrase in DOC_BODY
            assert found, f"{q['id']}: must phrase not in document: {phrase!r}"


def test_references_say_only_what_the_document_says():
    """char-F1 and ROUGE-L are measured against these: a number or department the document lacks would reward a
    wrong answer. Each is found as written in the document; a count of what the reference lists counts its list."""
    for q in QS:
        ref = q.get("reference", "")
        if not q["answerable"]:
            assert not ref, f"{q['id']}: unanswerable but has a reference answer"
            continue
        assert isinstance(ref, str) and ref.strip(), f"{q['id']}: answerable but has no reference answer"
        for phrase in q["must"]:
            assert phrase in ref, f"{q['id']}: reference lacks must phrase {phrase!r}"
        for count, what in COUNT.findall(ref):
            if what == "项工作":
                assert CN_VALUE[count] == len(LISTED_ITEM.findall(ref)), f"{q['id']}: {count}{what}, listed otherwise"
        unwritten = [n for n in written_numbers(COUNT.sub("", ref)) if not written_in(n, DOC_TEXT)]
        assert not unwritten, f"{q['id']}: reference states {unwritten}, which the document does not"
        for office in OFFICE.findall(ref):
            assert office in DOC_TEXT, f"{q['id']}: reference names {office!r}, which the document does not"


def test_numbers_are_found_as_written():
    assert written_numbers("（３０日）三十日，1.5倍，统一") == ["30", "三十", "1.5", "一"]
    assert written_in("30", "三十日内（30日）") and written_in("三十", "三十日") and written_in("1.5", "1.5倍")
    assert not written_in("10", "100个") and not written_in("十", "三十日") and not written_in("5", "1.5倍")
    assert [m.group(0) for m in OFFICE.finditer("由市政府办公厅、市教委和区财政局负责")] == ["市政府办公厅", "市教委", "区财政局"]


def test_every_item_and_subsection_covered():
    ranges = _item_ranges(DOC_BODY)
    numbers = [n for n, _, _ in ranges]
    assert numbers == list(range(1, 24)), f"document items parsed as {numbers}, expected 1..23"
    sub1 = DOC_BODY.index("(一)指导思想")
    sub2 = DOC_BODY.index("(二)行动目标")
    sub_end = DOC_BODY.index("二、聚焦发展重点")
    covered = set()
    for q in QS:
        for span in q["evidence"]:
            off = DOC_BODY.find(span)
            if off == -1:
                continue  # reported by test_evidence_verbatim_in_document_body
            end = off + len(span)
            for n, s, e in ranges:
                if s <= off and end <= e:
                    covered.add(n)
            if sub1 <= off and end <= sub2:
                covered.add("(一)")
            if sub2 <= off and end <= sub_end:
                covered.add("(二)")
    missing = [n for n in range(1, 24) if n not in covered]
    assert not missing, f"items with no evidence span: {missing}"
    for sub in ("(一)", "(二)"):
        assert sub in covered, f"subsection {sub} has no evidence span"
