"""The 政策匹配 tab's HTML: the measures that fit a company, grouped by document."""
from __future__ import annotations

from assistant.matching.matcher import Match, MatchResult
from assistant.patterns import document_name
from assistant.serving.render.markup import departments_html, esc, reference_html


def match_html(result: MatchResult) -> str:
    notices = "".join(f'<div class="notice">{esc(n)}</div>' for n in result.notices)
    if not result.matches:
        return notices + '<p class="muted">没有找到适用的措施。</p>'
    groups: dict[str, list[Match]] = {}  # by document, in the order of each one's best match
    for m in result.matches:
        groups.setdefault(m.card.doc_id, []).append(m)
    shown = [m for ms in groups.values() for m in ms]
    numbers = {id(m): n for n, m in enumerate(shown, start=1)}  # numbered as shown, one group after the other
    items = "".join(f"<h3>{esc(document_name(ms[0].card.title, ms[0].card.version))}</h3>"
                    + "".join(_match_item(numbers[id(m)], m) for m in ms) for ms in groups.values())
    return (f'{notices}<p class="muted">按与企业情况的相关度排序，按文件分组；是否符合申报条件，以责任部门的解释为准。</p>'
            f'<div class="matches">{items}</div>')


def _match_item(rank: int, m: Match) -> str:
    card = m.card
    terms = "".join(f'<span class="term">{esc(t)}</span>' for t in m.terms) or '<span class="muted">（无共同关键词）</span>'
    marked = f"{esc(card.text[:m.quote_start])}<mark>{esc(m.quote)}</mark>{esc(card.text[m.quote_end:])}"
    depts = departments_html(card.departments)
    expl = f"<div><b>说明（经原文核验）：</b>{esc(m.explanation)}</div>" if m.explanation else ""
    return (f'<div class="match"><h4>{rank}. {esc(card.label)} <span class="muted">· {esc(card.section)}</span></h4>'
            f"<div><b>匹配理由：</b>共同关键词 {terms}</div><div><b>原文：</b>“<mark>{esc(m.quote)}</mark>”</div>{expl}"
            f"<div><b>责任部门：</b>{depts or '文件未写明'}</div><div><b>下一步：</b>{esc(m.next_step)}</div>"
            f"{reference_html(card.reference)}<details><summary>查看条款全文</summary>"
            f'<div class="src-text">{marked}</div></details></div>')
