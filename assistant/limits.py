"""Bounds on what users send (questions, files, document names) and the checks every front end shares.

The CLI, the web app and the HTTP API call the same checks, so one question or file gets the same answer
everywhere::

    from assistant.limits import InvalidInput, check_question
    try:
        question = check_question(text)
    except InvalidInput as e:
        show(str(e))   # Chinese, ready for users
"""
from __future__ import annotations

import unicodedata

from assistant.errors import AssistantError, DocumentError

# The prompt holds the question, ~1,200 characters of excerpts and a worked example in a 4,096-token
# context; 500 characters is several times the longest question of the eval sets (~60).
MAX_QUESTION_CHARS = 500
MAX_FILE_MB = 20  # the web app's --max-upload-mb default; `add` and `index` use this one
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
# ~250 printed pages of Chinese: a longer text is a book or a data dump, and embedding it would hold the
# index's write lock for tens of minutes on two cores.
MAX_TEXT_CHARS = 500_000
# A DOCX is a zip file: more uncompressed XML than this is a decompression bomb, not a policy document.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_NAME_CHARS = 120
EMPTY_QUESTION = "请输入具体问题"


class InvalidInput(AssistantError):
    """A question or file name the assistant will not take; the message is Chinese, for users."""


class FileTooLarge(DocumentError):
    """A file over MAX_FILE_BYTES; `cn` says so in Chinese."""

    def __init__(self, path: str, size: int, limit: int = MAX_FILE_BYTES):
        super().__init__(path, f"file too large ({size / 2**20:.1f} MB; limit {limit / 2**20:g} MB)")
        self.cn = f"文件过大（{size / 2**20:.1f} MB），上限为 {limit / 2**20:g} MB"


class TextTooLong(DocumentError):
    """A file whose extracted text is over MAX_TEXT_CHARS; `cn` says so in Chinese."""

    def __init__(self, path: str, chars: int, limit: int = MAX_TEXT_CHARS):
        super().__init__(path, f"extracted text too long ({chars:,} characters; limit {limit:,})")
        self.cn = f"文件文字过多（{chars:,} 字），上限为 {limit:,} 字，请拆分后再上传"


def check_question(text: str | None) -> str:
    """The question with control characters removed and whitespace trimmed, or InvalidInput saying why not."""
    question = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text or "").strip()
    if not any(c.isalnum() for c in question):  # empty, or only punctuation, symbols and emoji
        raise InvalidInput(EMPTY_QUESTION)
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput(f"问题过长（{len(question)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内")
    return question


def check_name(name: str) -> str:
    """A document file name as given, or InvalidInput when it has path parts, control characters or no stem."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise InvalidInput(f"文件名含有控制字符：{name!r}")
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise InvalidInput(f"文件名不能包含路径：{name!r}")
    if name.startswith(".") or not name.rpartition(".")[0].strip():
        raise InvalidInput(f"文件名不能以“.”开头或没有名称：{name!r}")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"文件名过长（{len(name)} 字），上限为 {MAX_NAME_CHARS} 字")
    return name
