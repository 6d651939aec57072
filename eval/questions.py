"""Question sets: JSONL or CSV rows with `id`, `question` and optional gold fields; bad rows are reported, not fatal.

Example::

    questions, problems = load_questions(Path("eval/questions/seed.jsonl"))
    for p in problems:
        print(p, file=sys.stderr)        # "seed.jsonl:7: skipped: 'question' is missing or empty"
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f"}


@dataclass(frozen=True)
class Question:
    """One question with whatever gold the set provides (empty when absent)."""

    id: str
    question: str
    evidence: tuple[str, ...] = ()
    reference: str = ""
    must: tuple[str, ...] = ()
    answerable: bool = True
    type: str = ""
    docs: tuple[str, ...] = ()  # gold file names (a library question set)
    outdated: tuple[str, ...] = ()  # text of a superseded version: an answer quoting it is wrong


@dataclass(frozen=True)
class Problem:
    """A row that was skipped, with its line number in the file (1-based; the CSV header is line 1)."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: skipped: {self.reason}"


class BadRow(ValueError):
    """A row whose fields cannot be read as a question."""


def load_questions(path: Path) -> tuple[list[Question], list[Problem]]:
    """Read a .jsonl or .csv question file; returns the good questions and one Problem per skipped row."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise ValueError(f"question file must be .jsonl or .csv, got {path.name!r}")
    text = path.read_text(encoding="utf-8-sig")
    rows = _jsonl_rows(text) if suffix == ".jsonl" else _csv_rows(text)
    questions: list[Question] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            q = _question(row, csv_text=suffix == ".csv")
            if q.id in seen:
                raise BadRow(f"duplicate id {q.id!r} (first on line {seen[q.id]})")
        except BadRow as e:
            problems.append(Problem(path.name, line, str(e)))
            continue
        seen[q.id] = line
        questions.append(q)
    return questions, problems


def _jsonl_rows(text: str) -> list[tuple[int, dict | BadRow]]:
    out: list[tuple[int, dict | BadRow]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as e:
            out.append((n, BadRow(f"not valid JSON ({e.msg} at column {e.colno})")))
            continue
        out.append((n, row if isinstance(row, dict) else BadRow(f"expected a JSON object, got {type(row).__name__}")))
    return out


def _csv_rows(text: str) -> list[tuple[int, dict | BadRow]]:
    reader = csv.reader(text.splitlines(keepends=True))
    header = next(reader, None)
    if header is None:
        return []
    header = [h.strip() for h in header]
    out: list[tuple[int, dict | BadRow]] = []
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1  # a quoted field may span lines: report where the row begins
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            out.append((line, BadRow(f"expected {len(header)} fields, got {len(cells)}")))
            continue
        out.append((line, dict(zip(header, cells))))
    return out


def _question(row: dict | BadRow, csv_text: bool) -> Question:
    if isinstance(row, BadRow):
        raise row
    qid = row.get("id")
    if isinstance(qid, int) and not isinstance(qid, bool):
        qid = str(qid)
    if not isinstance(qid, str) or not qid.strip():
        raise BadRow(f"'id' is missing or empty (got {qid!r})")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BadRow(f"'question' is missing or empty (got {question!r})")
    reference = row.get("reference") or ""
    kind = row.get("type") or ""
    if not isinstance(reference, str) or not isinstance(kind, str):
        raise BadRow("'reference' and 'type' must be strings")
    return Question(id=qid.strip(), question=question.strip(),
                    evidence=_strings(row.get("evidence"), "evidence", csv_text),
                    reference=reference.strip(), must=_strings(row.get("must"), "must", csv_text),
                    answerable=_flag(row.get("answerable"), csv_text), type=kind.strip(),
                    docs=_strings(row.get("docs"), "docs", csv_text), outdated=_strings(row.get("outdated"), "outdated", csv_text))


def _strings(value: object, name: str, csv_text: bool) -> tuple[str, ...]:
    """A list of non-empty strings; in CSV a JSON list or a `|`-separated cell."""
    if value is None or value == "":
        return ()
    if csv_text and isinstance(value, str):
        cell = value.strip()
        if cell.startswith("["):
            try:
                value = json.loads(cell)
            except json.JSONDecodeError as e:
                raise BadRow(f"'{name}' looks like a JSON list but is not valid JSON ({e.msg})") from e
        else:
            value = cell.split("|")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRow(f"'{name}' must be a list of strings (got {value!r})")
    return tuple(v.strip() for v in value if v.strip())


def _flag(value: object, csv_text: bool) -> bool:
    """`answerable`: true when absent; JSON booleans, or true/false-like words in CSV."""
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if csv_text and isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise BadRow(f"'answerable' must be true or false (got {value!r})")
