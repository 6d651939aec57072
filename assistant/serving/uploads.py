"""The checks on uploaded files, and what a document error says to users: pure functions, in Chinese."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from assistant.errors import DocumentError
from assistant.ingest.documents import SUPPORTED_SUFFIXES

MB = 1024 * 1024
REASONS = [  # DocumentError reasons (English, from assistant.ingest.documents) → what users read
    ("empty file", "文件是空的"), ("no text found", "文件中没有可读取的文字"),
    ("binary content", "文件是二进制内容，不是文本文件"), ("cannot decode", "无法识别文件的文字编码"),
    ("corrupt or unreadable PDF", "PDF 文件已损坏或无法读取"), ("corrupt or unreadable DOCX", "DOCX 文件已损坏或无法读取"),
    ("unsupported", "不支持的文件类型"), ("no usable title", "无法识别文件标题（第一行应为文件标题）"),
    ("cannot read file", "无法读取文件"), ("metadata sidecar", "元数据文件无法读取"),
]


def safe_filename(name: str) -> str:
    """Basename only; letters (Chinese included), digits and _ - . （）() kept, no leading dots, suffix lower-cased."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = re.sub(r"[^\w\-.（）()]+", "_", stem).strip("._- ")[:80] or "upload"
    suffix = re.sub(r"[^\w]+", "", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def reason_cn(error: DocumentError) -> str:
    return next((cn for en, cn in REASONS if en in error.reason), f"无法读取文件（{error.reason}）")


def upload_problem(path: Path, name: str, max_mb: float) -> str:
    """Why an uploaded file cannot be taken, in Chinese ("" when it can be tried)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)
        return f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 {kinds} 文件。"
    size = path.stat().st_size
    if size == 0:
        return "文件是空的。"
    if size > max_mb * MB:
        return f"文件过大（{size / MB:.1f} MB），上限为 {max_mb:g} MB。"
    return ""
