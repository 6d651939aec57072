"""The 问答 tab's HTML: the assistant's chat message and the source panel beside it."""
from __future__ import annotations

import html
from collections.abc import Sequence

from assistant.ingest.library import IN_FORCE, LABELS
from assistant.matching.matcher import Matcher
from assistant.patterns import CITATION, document_name
from assistant.records import (ELIGIBILITY, EXTRACTIVE, METADATA, NOT_STATED, PARTIAL, REFUSED, VERIFIED, Answer,
                               Citation)
from assistant.serving.render.markup import departments_html, esc, reference_html, status_badge

IN_FORCE_LABEL = LABELS[IN_FORCE]
# How each way of answering reads to a citizen (STATUS_LABELS are the terms of the API and the reports).
PLAIN_STATUS = {VERIFIED: "有原文依据", PARTIAL: "有原文依据（未能核实的内容已删去）", EXTRACTIVE: "摘录原文",
                METADATA: "文件基本信息", REFUSED: "文件中没有相关规定", NOT_STATED: "文件没有直接写明，以下仅为相关条款",
                ELIGIBILITY: "按申报条件逐条核对"}
EMPTY_SOURCES = '<p class="muted">提问后，回答所依据的条款原文会显示在这里；点击回答中的 [n] 可跳到对应条款，点击以前的回答可查看它的来源。</p>'


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
    if answer.refused and answer.suggestions and not all(s in answer.text for s in answer.suggestions):  # said once
        parts.append("相近条款：" + "；".join(html.escape(s, quote=False) for s in answer.suggestions))
    if answer.citations:
        parts.append("来源：" + "　".join(
            f'<a class="cite" href="#src-{turn}-{c.n}">[{c.n}]</a> {html.escape(c.chunk.path[-1] if c.chunk.path else c.chunk.title)}'
            for c in answer.citations))
    return "\n\n".join(parts)


def status_html(answer: Answer) -> str:
    return f'<span class="status status-{answer.verified}">{PLAIN_STATUS[answer.verified]}</span>'


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
    dept_html = departments_html(depts) if depts else '<span class="muted">文件未写明</span>'
    number = f"（{esc(c.chunk.doc_number)}）" if c.chunk.doc_number else ""
    status = f" {status_badge(c.status, c.status == IN_FORCE_LABEL)}" if c.status else ""
    return (f'<div class="src" id="src-{turn}-{c.n}"><div class="src-n"><b>[{c.n}] {esc(label)}</b></div>'
            f'<div class="src-doc">{esc(document_name(c.chunk.title, c.chunk.version))}{number}{status}</div>'
            f'<div class="src-path">条款位置：{esc(c.chunk.path_str)}</div>'
            f'<div class="src-text">{body}</div><div class="src-dept">责任部门：{dept_html}</div>'
            f'{reference_html(c.reference)}</div>')


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
