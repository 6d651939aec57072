"""Load source files (txt, md, html, pdf, docx) into `Document`s with metadata and clean content lines."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import unicodedata
import zipfile
from pathlib import Path

import charset_normalizer
import docx
import pypdf
from bs4 import BeautifulSoup, NavigableString
from bs4.dammit import EncodingDetector
from docx.table import Table

from assistant.errors import DocumentError, UnsupportedDocument
from assistant.instructions import HIDDEN_MARK
from assistant.limits import MAX_FILE_BYTES, MAX_TEXT_CHARS, MAX_UNZIPPED_BYTES, FileTooLarge, TextTooLong
from assistant.ingest import converted
from assistant.ingest.metadata import header_end, infer
from assistant.records import Document, Line

# pypdf logs repairs ("EOF marker not found") itself; we report damaged files as DocumentError instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
SIDECAR_SUFFIX = ".meta.json"
SHORT_LINE_MAX_CHARS = 40


# Web-page residue ("site chrome") is recognised by shape, not by listing known lines: a residue line is
# short (a widget label, not a sentence) and matches one of the patterns below. The length limit is what
# keeps real sentences that merely mention 登录 or 分享 (e.g. 推广统一身份认证登录…) safe.
_UI_WORDS = (
    r"登录|注册|退出|评论|留言|分享到|分享|打印本页|打印|关闭窗口|关闭|加入收藏|收藏本页|收藏|返回顶部|"
    r"返回|上一篇|下一篇|扫一扫|二维码|微信|微博|QQ空间|朋友圈|字号|字体|默认|大\s*中\s*小|[大中小]|"
    r"浏览次数|点击数|责任编辑|版权所有|技术支持|网站地图|联系我们|相关链接|附件下载|首页|手机版|无障碍|搜索"
)
_UI_LABELS = (
    r"上一篇|下一篇|上一条|下一条|责任编辑|浏览次数|点击数|阅读次数|访问量|字号|字体|分享到|"
    r"当前位置|您的位置|您当前的位置|您所在的位置|相关链接|附件下载|技术支持|主办单位|承办单位"
)
_RESIDUE_PATTERNS = (
    # Nothing but UI words and separators: "注册", "登录 | 注册", "打印本页 关闭窗口", "微信 微博".
    re.compile(rf"(?=.*(?:{_UI_WORDS}))(?:{_UI_WORDS}|[\W_])+"),
    # A login prompt, which starts the line: "评论前必须登录!", "请登录后发表评论", "您还未登录".
    re.compile(r"(?:发表)?(?:评论|留言)(?:之?前)?(?:必须|需要|须|请)?先?(?:登录|注册).*"),
    re.compile(r"(?:请|您需要|您须|须)?先?(?:登录|注册)后?(?:才能|才可以|方可|再|即可)?(?:发表|参与)?(?:评论|留言|回帖).*"),
    re.compile(r"(?:您?还?未|请先?)(?:登录|注册).*"),
    # A labelled page field: "上一篇：关于…的通知", "【字体：大 中 小】", "责任编辑：张三", "浏览次数：123".
    re.compile(rf"[【\[(（]?\s*(?:{_UI_LABELS})\s*[:：].*"),
    # A site footer: "Copyright © 2020 … 版权所有", "沪ICP备12345678号" (not "ICP备案", a real policy term).
    re.compile(r".*(?:版权所有|copyright|©|ICP备\s*\d|公网安备|网站标识码).*", re.IGNORECASE),
    # A breadcrumb trail: "首页 > 政策文件 > 正文".
    re.compile(r"(?:首页|主页)\s*[>»/＞].*"),
)

_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_CJK_LINE_BREAK = re.compile(rf"(?<={_CJK})[ \t]*\n\s*(?={_CJK})")
_HTML_DROPPED = ["script", "style", "nav", "header", "footer", "noscript", "template", "head"]
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)"
                           r"|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$|!)", re.IGNORECASE)
_HTML_BLOCKS = [
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "td", "th",
    "tr", "ul", "caption",
]


def load_document(path: Path) -> Document:
    """Read one supported file into a `Document`; raise `DocumentError` naming the file when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedDocument(str(path), f"unsupported file type {suffix or '(none)'!r}; "
                                             f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise FileTooLarge(str(path), size, MAX_FILE_BYTES)
        data = path.read_bytes()
    except OSError as e:
        raise DocumentError(str(path), f"cannot read file: {e}") from e
    if not data.strip():
        raise DocumentError(str(path), "empty file")
    if suffix == ".pdf":
        text = _pdf_text(data, path)
    elif suffix == ".docx":
        text = _docx_text(data, path)
    elif suffix in (".html", ".htm"):
        text = _html_text(data, path)
    else:
        text = _decode_text(data, path).replace("\r\n", "\n").replace("\r", "\n")
    stated: dict = {}
    if suffix == ".md":
        text, stated = converted.clean(text)
    if not text.strip():
        raise DocumentError(str(path), "no text found in file")
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLong(str(path), len(text), MAX_TEXT_CHARS)
    meta = {**infer([line.text for line in _content_lines(text)], text, path.name), **stated, **_read_sidecar(path)}
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise DocumentError(str(path), f"no usable title (got {title!r}); "
                                       f"set one in {path.name}{SIDECAR_SUFFIX}")
    return Document(doc_id=path.stem, source=path.name, title=title, text=text, meta=meta,
                    sha256=hashlib.sha256(data).hexdigest())


def load_corpus(directory: Path, *more: Path) -> tuple[list[Document], list[DocumentError]]:
    """Load every file under `directory` and then each of `more` (read-only library folders, read in place;
    sorted, recursive); bad files become errors and loading goes on."""
    documents: list[Document] = []
    errors: list[DocumentError] = []
    seen: dict[str, str] = {}
    files = []
    for folder in (Path(directory), *map(Path, more)):
        if not folder.is_dir():
            raise DocumentError(str(folder), "not a directory")
        files += [(folder, p) for p in sorted(p for p in folder.rglob("*") if p.is_file())]
    for directory, path in files:
        rel = path.relative_to(directory)
        if _is_ignored(rel):
            continue
        try:
            doc = load_document(path)
        except DocumentError as e:
            errors.append(e)
            continue
        if doc.doc_id in seen:
            # Chunk ids and citations key on doc_id, so two files with one stem would collide silently.
            reason = f"duplicate doc_id {doc.doc_id!r} (also {Path(seen[doc.doc_id]).name})"
            errors.append(DocumentError(str(path), reason))
            continue
        seen[doc.doc_id] = str(path)
        documents.append(doc)
    return documents, errors


def content_lines(doc: Document) -> list[Line]:
    """The document's content lines with offsets into `doc.text`: web-page residue and the header (title
    heading, adoption history — metadata, not rules) removed."""
    lines = _content_lines(doc.text)
    return lines[header_end([line.text for line in lines]):]


def is_residue(line: str) -> bool:
    """Tell whether a stripped line is web-page residue (a short line shaped like site UI)."""
    return len(line) <= SHORT_LINE_MAX_CHARS and any(p.fullmatch(line) for p in _RESIDUE_PATTERNS)


def _content_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group()
        stripped = raw.strip()
        if not stripped or is_residue(stripped):
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        lines.append(Line(start=start, end=start + len(stripped), text=stripped))
    return lines


def _is_ignored(rel: Path) -> bool:
    """Hidden files, sidecars and READMEs are not documents and not errors."""
    name = rel.name
    return (any(part.startswith(".") for part in rel.parts) or name.endswith(SIDECAR_SUFFIX)
            or name.split(".")[0].upper() == "README")


def _decode_text(data: bytes, path: Path) -> str:
    """Decode text bytes: strict UTF-8 (BOM or not), then strict GB18030, then charset-normalizer's guess."""
    if b"\x00" in data:
        raise DocumentError(str(path), "binary content (NUL bytes), not a text file")
    # Short GBK text is often mis-guessed as Big5 or latin-1 by statistical detectors, so the two encodings
    # Chinese policy files actually use are tried strictly first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Big5 bytes often decode as GB18030 too, but land in its user-defined (private-use) areas.
        if encoding == "utf-8-sig" or not any("\ue000" <= c <= "\uf8ff" for c in text):
            return text
    best = charset_normalizer.from_bytes(data).best()
    text = str(best) if best is not None else ""
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and not c.isspace())
    if not text or controls > len(text) // 100:
        raise DocumentError(str(path), "cannot decode as text (unknown encoding or binary content)")
    return text


def _html_text(data: bytes, path: Path) -> str:
    """Extract visible text from HTML: drop page chrome elements, one line per block element."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    # gb2312/gbk declarations routinely cover GBK/GB18030-only characters, so decode with the superset.
    encoding = "gb18030" if declared and declared.lower() in ("gb2312", "gbk", "gb18030") else declared
    try:
        markup = data.decode(encoding) if encoding else _decode_text(data, path)
    except (LookupError, UnicodeDecodeError):
        markup = _decode_text(data, path)
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(_HTML_DROPPED):
        # An <article>'s own <header> holds its title, unlike the site-wide one.
        if not tag.decomposed and not (tag.name == "header" and tag.find_parent(["article", "main"])):
            tag.decompose()
    # Source line breaks inside a paragraph are layout, not content: collapse them before adding our own
    # (between two Chinese characters a wrapped line break is dropped, as CSS does for East Asian text).
    for s in soup.find_all(string=True):
        if type(s) is NavigableString:
            s.replace_with(re.sub(r"\s+", " ", _CJK_LINE_BREAK.sub("", s)))
    _mark_hidden(soup)
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.append("\n")
    lines = (line.strip() for line in soup.get_text().split("\n"))
    return "\n".join(line for line in lines if line)


def _mark_hidden(soup: BeautifulSoup) -> None:
    """Text a browser would not show is kept on its own line, each sentence after HIDDEN_MARK: searchable,
    shown as hidden, and never read by the model (assistant.instructions flags the mark)."""
    hidden = [t for t in soup.find_all(True) if t.has_attr("hidden") or _HIDDEN_STYLE.search(str(t.get("style") or ""))]
    ids = {id(t) for t in hidden}
    for tag in hidden:
        if any(id(p) in ids for p in tag.parents):
            continue  # inside a hidden element already marked
        sentences = re.findall(r"[^。！？!?；;]+[。！？!?；;]*", tag.get_text(" ", strip=True))
        marked = "".join(HIDDEN_MARK + x.strip() for x in sentences if x.strip())
        tag.replace_with(NavigableString(f"\n{marked}\n" if marked else ""))


def _pdf_text(data: bytes, path: Path) -> str:
    """Extract page texts with pypdf, joined by newlines."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "").strip("\n") for page in reader.pages)
    except DocumentError:
        raise
    except Exception as e:  # noqa: BLE001 — fuzzing shows pypdf raising ~10 plain exception types on damaged files
        raise DocumentError(str(path), f"corrupt or unreadable PDF: {type(e).__name__}: {e}") from e


def _docx_text(data: bytes, path: Path) -> str:
    """Extract paragraph and table-cell texts in document order, one per line."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a decompression bomb is refused before parsing
            if (unzipped := sum(i.file_size for i in archive.infolist())) > MAX_UNZIPPED_BYTES:
                raise DocumentError(str(path), f"corrupt or unreadable DOCX: {unzipped:,} bytes unzipped "
                                               f"(limit {MAX_UNZIPPED_BYTES:,})")
        return "\n".join(_docx_lines(docx.Document(io.BytesIO(data))))
    except DocumentError:
        raise
    except Exception as e:  # noqa: BLE001 — fuzzing shows zipfile, zlib, lxml and python-docx raising many types
        raise DocumentError(str(path), f"corrupt or unreadable DOCX: {type(e).__name__}: {e}") from e


def _docx_lines(document) -> list[str]:
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each once
                    if cell.text not in cells[-1:]:
                        cells.append(cell.text)
                lines.extend(cells)
        else:
            lines.append(block.text)
    return lines


def _read_sidecar(path: Path) -> dict:
    """Read `<name>.meta.json` beside the file, whose fields override inferred metadata."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DocumentError(str(sidecar), f"unreadable metadata sidecar: {e}") from e
    if not isinstance(meta, dict):
        raise DocumentError(str(sidecar), f"metadata sidecar must be a JSON object, not {type(meta).__name__}")
    return meta
