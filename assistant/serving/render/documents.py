"""The library as the 政策浏览 and 知识库 tabs show it: the document list and table, one document's outline,
the items a department leads, the document choices, and the landing page's line on what is loaded."""
from __future__ import annotations

from collections.abc import Sequence

from assistant.ingest.library import Library
from assistant.matching.cards import outline
from assistant.matching.matcher import Matcher
from assistant.normalize import normalize
from assistant.patterns import reference
from assistant.records import Chunk
from assistant.serving.render.markup import departments_html, esc, reference_html, status_badge

ALL_DEPARTMENTS = "全部部门"
ALL_STATUSES = "全部状态"
DOCUMENT_HEADERS = ["标题", "版本", "状态", "种类", "文号", "段数", "字数", "文件名", "文档 ID"]


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
                out.append(f"<details><summary>{esc(card.label)} {departments_html(card.departments)}</summary>"
                           f'<div class="src-text">{esc(card.text)}</div>{reference_html(card.reference)}</details>')
    return '<div class="outline">' + "".join(out) + "</div>"


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
        why = f' <span class="muted">{esc(s.reason)}</span>' if s.reason else ""
        rows.append(f"<li>{esc(library.named(d))} {status_badge(s.label, s.in_force)}{why}</li>")
    return f'<p class="muted">共 {len(doc_ids)} 个文件；在下方选择一个文件查看全文结构。</p><ul class="doclist">{"".join(rows)}</ul>'


def document_outline_html(library: Library, doc_id: str, chunks: Sequence[Chunk]) -> str:
    """Every part of one document in order: headings, then each clause with its text and departments."""
    own = sorted((c for c in chunks if c.doc_id == doc_id), key=lambda c: c.start)
    if not own:
        return '<p class="muted">请选择一个文件。</p>'
    s = library.status(doc_id)
    out = [f'<h3>{esc(library.named(doc_id))} {status_badge(s.label, s.in_force)}</h3>']
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
        text = "".join(p.text for p in pieces)
        ref = reference(pieces[0].title, pieces[0].doc_number, " > ".join(path), pieces[0].version)
        out.append(f"<details><summary>{esc(path[-1] if path else '正文')} {departments_html(pieces[0].departments)}"
                   f'</summary><div class="src-text">{esc(text)}</div>{reference_html(ref)}</details>')
    return '<div class="outline">' + "".join(out) + "</div>"


def library_line(library: Library, shown: int = 3) -> str:
    """The landing page's line on what answers come from: how many documents, and the first few by title."""
    ids = find_documents(library)
    if not ids:
        return '<div class="library-line">知识库中还没有文件。</div>'
    more = "等（完整列表见「政策浏览」）" if len(ids) > shown else ""
    return (f'<div class="library-line">已收录 {len(ids)} 份文件：'
            f'{esc("、".join(library.named(d) for d in ids[:shown]))}{more}</div>')


def document_choices(library: Library, doc_ids: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Dropdown entries: 《title》(version)·status, valued by doc_id."""
    ids = find_documents(library) if doc_ids is None else doc_ids
    return [(f"{library.named(d)}·{library.status(d).label}", d) for d in ids]
