"""HTML for the app's panels and the checks on uploaded files: pure functions, no gradio.

Everything shown comes from the package's records (Answer, Citation, MatchResult, the index manifest);
this module only lays it out, in Chinese.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.ingest.library import IN_FORCE, LABELS, Library
from assistant.normalize import normalize
from assistant.errors import DocumentError
from assistant.matching.cards import outline
from assistant.matching.matcher import Match, MatchResult, Matcher
from assistant.records import EXTRACTIVE, METADATA, PARTIAL, REFUSED, VERIFIED, Answer, Chunk, Citation
from assistant.patterns import CITATION, document_name, reference
from assistant.retrieval.retrieve import Filters

ALL_DEPARTMENTS = "全部部门"
IN_FORCE_LABEL = LABELS[IN_FORCE]
MB = 1024 * 1024
REASONS = [  # DocumentError reasons (English, from assistant.ingest.documents) → what users read
    ("empty file", "文件是空的"), ("no text found", "文件中没有可读取的文字"),
    ("binary content", "文件是二进制内容，不是文本文件"), ("cannot decode", "无法识别文件的文字编码"),
    ("corrupt or unreadable PDF", "PDF 文件已损坏或无法读取"), ("corrupt or unreadable DOCX", "DOCX 文件已损坏或无法读取"),
    ("unsupported", "不支持的文件类型"), ("no usable title", "无法识别文件标题（第一行应为文件标题）"),
    ("cannot read file", "无法读取文件"), ("metadata sidecar", "元数据文件无法读取"),
]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def link_citations(text: str, turn: int) -> str:
    """[n] → a link to source n of this turn in the source panel."""
    return CITATION.sub(lambda m: f'<a class="cite" href="#src-{turn}-{m.group(1)}">[{m.group(1)}]</a>', text)


def answer_markdown(answer: Answer, turn: int) -> str:
    """The assistant's chat message: a banner when the answer rests on a document not in force, the linked
    text, the documents used, the status in plain words, the Chinese wording a foreign question was also
    searched by, suggestions, the source list. Verification's own notes (which sentence was dropped, which
    pointer corrected) are for staff: CLI and API, not the chat."""
    parts = [f'<div class="banner">{esc(answer.notice)}</div>'] if answer.notice else []
    parts += [link_citations(html.escape(answer.text, quote=False), turn)]
    if len(answer.documents) > 1:
        parts.append("依据文件：" + "；".join(esc(d) for d in answer.documents))
    parts += ["", status_html(answer)]
    if answer.searched_as:
        parts.append("> 已同时按中文译文检索：" + "；".join(esc(a) for a in answer.searched_as))
    if note := user_note(answer):
        parts.append(f"> {note}")
    if answer.refused and answer.suggestions:
        parts.append("相近条款：" + "；".join(html.escape(s, quote=False) for s in answer.suggestions))
    if answer.citations:
        parts.append("来源：" + "　".join(
            f'<a class="cite" href="#src-{turn}-{c.n}">[{c.n}]</a> {html.escape(c.chunk.path[-1] if c.chunk.path else c.chunk.title)}'
            for c in answer.citations))
    return "\n\n".join(parts)


# How each way of answering reads to a citizen (STATUS_LABELS are the terms of the API and the reports).
PLAIN_STATUS = {VERIFIED: "有原文依据", PARTIAL: "有原文依据（未能核实的内容已删去）", EXTRACTIVE: "摘录原文",
                METADATA: "文件基本信息", REFUSED: "文件中没有相关规定"}


def status_html(answer: Answer) -> str:
    return f'<span class="status status-{answer.verified}">{PLAIN_STATUS[answer.verified]}</span>'''

def user_note(answer: Answer) -> str:
    """One plain sentence about how the answer was made, where it differs from an ordinary answer."""
    if answer.verified == EXTRACTIVE and answer.notes:  # the model's answer failed, or no model answered
        return "未能生成经原文核实的回答，下面直接列出相关条款的原文。"
    if answer.verified == PARTIAL:
        return "回答中有内容未能在条款原文中找到，已删去。"
    return ""


def citation_html(c: Citation, turn: int, matcher: Matcher) -> str:
    """One source: title, 文号, clause path, the full item text with the quote marked, departments, reference."""
    card = matcher.card_for(c.chunk.id)
    if card is not None:
        text, start = card.text, card.offset(c.quote_start)
        label = card.label
    else:
        text, start = c.chunk.text, c.quote_start - c.chunk.start
        label = c.chunk.path[-1] if c.chunk.path else c.chunk.title
    end = start + (c.quote_end - c.quote_start)
    body = f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"
    depts = c.chunk.departments
    dept_html = ("".join(f'<span class="dept{" lead" if i == 0 else ""}">{esc(d)}</span>' for i, d in enumerate(depts))
                 if depts else '<span class="muted">文件未写明</span>')
    number = f"（{esc(c.chunk.doc_number)}）" if c.chunk.doc_number else ""
    status = (f' <span class="doc-status{"" if c.status == IN_FORCE_LABEL else " stale"}">{esc(c.status)}</span>'
              if c.status else "")
    return (f'<div class="src" id="src-{turn}-{c.n}"><div class="src-n"><b>[{c.n}] {esc(label)}</b></div>'
            f'<div class="src-doc">{esc(document_name(c.chunk.title, c.chunk.version))}{number}{status}</div>'
            f'<div class="src-path">条款位置：{esc(c.chunk.path_str)}</div>'
            f'<div class="src-text">{body}</div><div class="src-dept">责任部门：{dept_html}</div>'
            f'{reference_html(c.reference)}</div>')


def reference_html(reference: str) -> str:
    return (f'<div class="ref"><span>复制引用：</span><code>{esc(reference)}</code>'
            f'<button type="button" data-ref="{esc(reference)}" onclick="policyCopy(this)">复制引用</button></div>')


def sources_html(citations: Sequence[Citation], turn: int, matcher: Matcher, answer: Answer | None = None) -> str:
    """The source panel for one turn; before the answer is done it says so."""
    if answer is None:
        head = f'<p class="muted">已检索到 {len(citations)} 条依据，正在生成回答…</p>'
    else:
        head = f'<p><b>问题：</b>{esc(answer.question)}<br>{status_html(answer)}</p>'
    if not citations:
        tail = "".join(f"<li>{esc(s)}</li>" for s in (answer.suggestions if answer else []))
        body = '<p class="muted">本轮回答没有引用条款。</p>' + (f"<p>相近条款：</p><ul>{tail}</ul>" if tail else "")
    else:
        body = "".join(citation_html(c, turn, matcher) for c in citations)
    return f"<div>{head}{body}</div>"


EMPTY_SOURCES = '<p class="muted">提问后，回答所依据的条款原文会显示在这里；点击回答中的 [n] 可跳到对应条款，点击以前的回答可查看它的来源。</p>'


def match_html(result: MatchResult) -> str:
    notices = "".join(f'<div class="notice">{esc(n)}</div>' for n in result.notices)
    if not result.matches:
        return notices + '<p class="muted">没有找到适用的措施。</p>'
    groups: dict[str, list[tuple[int, Match]]] = {}  # by document, in the order of each one's best match
    for rank, m in enumerate(result.matches, start=1):
        groups.setdefault(m.card.doc_id, []).append((rank, m))
    items = "".join(f"<h3>{esc(document_name(ms[0][1].card.title, ms[0][1].card.version))}</h3>"
                    + "".join(_match_item(rank, m) for rank, m in ms) for ms in groups.values())
    return (f'{notices}<p class="muted">按与企业情况的相关度排序，按文件分组；是否符合申报条件，以责任部门的解释为准。</p>'
            f'<div class="matches">{items}</div>')


def _match_item(rank: int, m: Match) -> str:
    card = m.card
    terms = "".join(f'<span class="term">{esc(t)}</span>' for t in m.terms) or '<span class="muted">（无共同关键词）</span>'
    marked = f"{esc(card.text[:m.quote_start])}<mark>{esc(m.quote)}</mark>{esc(card.text[m.quote_end:])}"
    depts = "".join(f'<span class="dept{" lead" if i == 0 else ""}">{esc(d)}</span>' for i, d in enumerate(card.departments))
    expl = f"<div><b>说明（经原文核验）：</b>{esc(m.explanation)}</div>" if m.explanation else ""
    return (f'<div class="match"><h4>{rank}. {esc(card.label)} <span class="muted">· {esc(card.section)}</span></h4>'
            f"<div><b>匹配理由：</b>共同关键词 {terms}</div><div><b>原文：</b>“<mark>{esc(m.quote)}</mark>”</div>{expl}"
            f"<div><b>责任部门：</b>{depts or '文件未写明'}</div><div><b>下一步：</b>{esc(m.next_step)}</div>"
            f"{reference_html(card.reference)}<details><summary>查看条款全文</summary>"
            f'<div class="src-text">{marked}</div></details></div>')


def outline_html(matcher: Matcher, documents: dict, department: str) -> str:
    """Documents → sections → items, with each item's departments (lead first)."""
    dept = "" if department in ("", None, ALL_DEPARTMENTS) else department
    tree = outline(matcher.cards, dept)
    if not tree:
        return f'<p class="muted">没有由「{esc(dept)}」负责的条目。</p>'
    out = [f'<p class="muted">共 {sum(len(v) for s in tree.values() for v in s.values())} 条'
           f'{f"（{esc(dept)}参与）" if dept else ""}；点击条目查看全文。</p>']
    for doc_id, sections in tree.items():
        d = documents.get(doc_id, {})
        number = f"（{esc(d['doc_number'])}）" if d.get("doc_number") else ""
        out.append(f'<h3>《{esc(d.get("title", doc_id))}》{number}</h3>')
        for section, cards in sections.items():
            if section:
                out.append(f"<h4>{esc(section)}</h4>")
            for card in cards:
                depts = "".join(f'<span class="dept{" lead" if i == 0 else ""}">{esc(x)}</span>'
                                for i, x in enumerate(card.departments))
                out.append(f"<details><summary>{esc(card.label)} {depts}</summary>"
                           f'<div class="src-text">{esc(card.text)}</div>{reference_html(card.reference)}</details>')
    return '<div class="outline">' + "".join(out) + "</div>"


DOCUMENT_HEADERS = ["标题", "版本", "状态", "种类", "文号", "段数", "字数", "文件名", "文档 ID"]
ALL_STATUSES = "全部状态"


def document_rows(library: Library, chunks: Sequence[Chunk]) -> list[list]:
    """The 知识库 table: one row per document, with its version, status and size."""
    chars: dict[str, int] = {}
    for c in chunks:
        chars[c.doc_id] = chars.get(c.doc_id, 0) + len(c.text)
    return [[d["title"], library.version(doc_id) or "—", library.status(doc_id).label,
             library.meta(doc_id).get("kind") or "—", d.get("doc_number") or "—", d["chunks"], chars.get(doc_id, 0),
             d["source"], doc_id] for doc_id, d in sorted(library.documents.items(), key=lambda x: (x[1]["title"], x[0]))]


def find_documents(library: Library, query: str = "", status: str = ALL_STATUSES) -> list[str]:
    """Documents whose title contains the query and whose status is the one chosen, by title then version."""
    q = normalize(query or "")
    found = [d for d in library.documents if q in normalize(library.title(d))
             and status in ("", None, ALL_STATUSES, library.status(d).label)]
    return sorted(found, key=lambda d: (library.title(d), library.version(d)))


def documents_html(library: Library, doc_ids: Sequence[str]) -> str:
    """The 政策浏览 list: each document with version, status and why."""
    if not doc_ids:
        return '<p class="muted">没有符合条件的文件。</p>'
    rows = []
    for d in doc_ids:
        s = library.status(d)
        badge = f'<span class="doc-status{"" if s.in_force else " stale"}">{esc(s.label)}</span>'
        why = f' <span class="muted">{esc(s.reason)}</span>' if s.reason else ""
        rows.append(f"<li>{esc(library.named(d))} {badge}{why}</li>")
    return f'<p class="muted">共 {len(doc_ids)} 个文件；在下方选择一个文件查看全文结构。</p><ul class="doclist">{"".join(rows)}</ul>'


def document_outline_html(library: Library, doc_id: str, chunks: Sequence[Chunk]) -> str:
    """Every part of one document in order: headings, then each clause with its text and departments."""
    own = sorted((c for c in chunks if c.doc_id == doc_id), key=lambda c: c.start)
    if not own:
        return '<p class="muted">请选择一个文件。</p>'
    s = library.status(doc_id)
    out = [f'<h3>{esc(library.named(doc_id))} <span class="doc-status{"" if s.in_force else " stale"}">'
           f'{esc(s.label)}</span></h3>']
    if s.reason:
        out.append(f'<div class="notice">{esc(s.reason)}</div>')
    parts: list[tuple[tuple[str, ...], list[Chunk]]] = []
    for c in own:  # a long clause is several chunks: one entry
        if parts and parts[-1][0] == c.path:
            parts[-1][1].append(c)
        else:
            parts.append((c.path, [c]))
    shown: tuple[str, ...] = ()
    for path, pieces in parts:
        heads = path[:-1]
        for depth, head in enumerate(heads):
            if shown[: depth + 1] != heads[: depth + 1]:
                out.append(f"<h4>{esc(head)}</h4>")
        shown = heads
        depts = "".join(f'<span class="dept{" lead" if i == 0 else ""}">{esc(x)}</span>'
                        for i, x in enumerate(pieces[0].departments))
        text = "".join(p.text for p in pieces)
        ref = reference(pieces[0].title, pieces[0].doc_number, " > ".join(path), pieces[0].version)
        out.append(f"<details><summary>{esc(path[-1] if path else '正文')} {depts}</summary>"
                   f'<div class="src-text">{esc(text)}</div>{reference_html(ref)}</details>')
    return '<div class="outline">' + "".join(out) + "</div>"


def document_choices(library: Library, doc_ids: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Dropdown entries: 《title》(version)·status, valued by doc_id."""
    ids = find_documents(library) if doc_ids is None else doc_ids
    return [(f"{library.named(d)}·{library.status(d).label}", d) for d in ids]


# ---------- the 问答 filters ----------

ANY = "不限"


def filter_options(library: Library) -> dict[str, list]:
    """What the 问答 filters offer, only values the library holds: documents as (《title》(version), doc_id),
    issuing bodies, kinds and statuses (most documents first), and the years."""

    def by_count(values) -> list[str]:
        counts: dict[str, int] = {}
        for v in values:
            if v:
                counts[v] = counts.get(v, 0) + 1
        return sorted(counts, key=lambda v: (-counts[v], v))

    ids = find_documents(library)
    meta = [library.meta(d) for d in ids]
    statuses = by_count(library.status(d).label for d in ids)
    order = list(LABELS.values())  # the four computed statuses in their usual order, a declared one after
    return {"documents": [(library.named(d), d) for d in ids],
            "issuers": by_count(str(m.get("issuer") or "") for m in meta),
            "kinds": by_count(str(m.get("kind") or "") for m in meta),
            "statuses": sorted(statuses, key=lambda s: (order.index(s) if s in order else len(order), s)),
            "years": sorted({y for d in ids if (y := library.year(d))})}


def qa_filters(docs: Sequence[str] | None, issuer: str | None, kind: str | None, statuses: Sequence[str] | None,
               year_from: str | None, year_to: str | None) -> Filters:
    """The Filters the 问答 controls describe; 不限 or nothing chosen leaves a field open. A year range with
    one end open runs to the other end; a reversed range matches nothing, and the answer says so."""
    low, high = (None if y in (None, "", ANY) else int(y) for y in (year_from, year_to))
    years = None if low is None and high is None else (low or 0, high or 9999)
    return Filters(docs=tuple(docs or ()), issuer="" if issuer in (None, ANY) else issuer,
                   kind="" if kind in (None, ANY) else kind, status=tuple(statuses or ()), years=years)


def filters_line(filters: Filters, library: Library) -> str:
    """The line above the chat that says how answers are narrowed ("" when nothing is filtered)."""
    if not filters:
        return ""
    parts = []
    if filters.docs:
        parts.append("文件=" + "、".join(library.named(d) if d in library.documents else d for d in filters.docs))
    for label, value in (("发文机关", filters.issuer), ("文件类型", filters.kind), ("部门", filters.department),
                         ("章节", filters.section), ("地区", filters.region)):
        if value:
            parts.append(f"{label}={value}")
    if filters.status:
        parts.append("效力状态=" + "、".join(filters.status))
    if filters.years:
        low, high = filters.years
        span = (str(low) if low == high else f"{low}–{high}") if low and high < 9999 else (
            f"{low} 年起" if low else f"{high} 年及以前")
        parts.append(f"年份={span}")
    return f'<div class="filter-line">已按筛选条件检索：{esc("；".join(parts))}</div>'


# ---------- uploads ----------

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


# ---------- the app ----------
