"""The 政策浏览 tab: the library's documents with their status, one document's outline, a department's items."""
from types import SimpleNamespace

import gradio as gr

from assistant.ingest.library import LABELS
from assistant.matching.cards import departments
from assistant.serving.render.documents import (ALL_DEPARTMENTS, ALL_STATUSES, document_choices,
                                                document_outline_html, documents_html, find_documents, outline_html)
from assistant.serving.service import Service
from assistant.serving.web import PRIVATE


def browse_tab(service: Service) -> SimpleNamespace:
    """政策浏览: the library's documents with their status (search by title, filter by status), every part of a
    chosen document, or the items a department leads."""
    snap = service.current
    library = snap.assistant.retriever.library
    with gr.Row():
        search = gr.Textbox(label="按标题搜索文件", placeholder="例如：营商环境", scale=3, elem_id="browse-search")
        status = gr.Radio([ALL_STATUSES, *LABELS.values()], value=ALL_STATUSES, label="文件状态", scale=4,
                          elem_id="browse-status")
        dept = gr.Dropdown([ALL_DEPARTMENTS] + departments(snap.matcher.cards), value=ALL_DEPARTMENTS,
                           label="按责任部门查看条目", scale=3, elem_id="browse-department")
    listing = gr.HTML(documents_html(library, find_documents(library)), elem_id="browse-documents")
    first = next(iter(find_documents(library)), None)
    doc = gr.Dropdown(document_choices(library), value=first, label="查看文件全文结构", elem_id="browse-doc")
    tree = gr.HTML(document_outline_html(library, first, snap.assistant.retriever.chunks) if first else "",
                   elem_id="outline")

    def find(query: str, chosen: str):
        lib = service.current.assistant.retriever.library
        ids = find_documents(lib, query, chosen)
        return documents_html(lib, ids), gr.update(choices=document_choices(lib, ids), value=ids[0] if ids else None)

    def show(doc_id: str | None):
        retriever = service.current.assistant.retriever
        return document_outline_html(retriever.library, doc_id, retriever.chunks) if doc_id else ""

    def by_department(d: str):
        if d in ("", None, ALL_DEPARTMENTS):
            return gr.skip()
        return outline_html(service.current.matcher, service.documents(), d)

    def refresh(department: str | None = ALL_DEPARTMENTS):
        snap = service.current
        lib = snap.assistant.retriever.library
        depts = [ALL_DEPARTMENTS] + departments(snap.matcher.cards)
        ids = find_documents(lib)
        return (gr.update(choices=depts, value=department if department in depts else ALL_DEPARTMENTS),
                documents_html(lib, ids), gr.update(choices=document_choices(lib, ids)))

    search.change(find, [search, status], [listing, doc], **PRIVATE)
    status.change(find, [search, status], [listing, doc], **PRIVATE)
    doc.change(show, [doc], [tree], **PRIVATE)
    dept.change(by_department, [dept], [tree], **PRIVATE)
    return SimpleNamespace(dept=dept, refresh=refresh, outputs=[dept, listing, doc])
