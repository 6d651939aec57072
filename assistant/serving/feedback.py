"""User feedback (👍/👎) on answers, appended to a JSONL log: one self-contained line per rating.

Example::

    record(Path("logs/feedback.jsonl"), "生鲜电商有哪些支持措施？", answer, "up")
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from assistant.config import ROOT
from assistant.records import Answer

DEFAULT_LOG = ROOT / "logs" / "feedback.jsonl"
RATINGS = ("up", "down")
_lock = threading.Lock()  # one writer at a time within the process; O_APPEND covers other processes


def entry(question: str, answer: Answer, rating: str) -> dict:
    """The logged record: the rating, the question as asked, and the whole answer with its citations."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
    return {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rating": rating, "question": question,
            "answer": answer.to_json()}


def record(path: Path, question: str, answer: Answer, rating: str) -> dict:
    """Append one rating as a single JSON line (one write call on an O_APPEND file, so lines never interleave)."""
    line = (json.dumps(entry(question, answer, rating), ensure_ascii=False) + "\n").encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, line)
            while written < len(line):  # a short write is rare (full disk, signal); finish the same line
                written += os.write(fd, line[written:])
        finally:
            os.close(fd)
    return json.loads(line)


def read(path: Path) -> list[dict]:
    """Every logged rating, oldest first ([] when nothing was logged yet)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
