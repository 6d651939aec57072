"""The eligibility form's HTML: a card per measure (verdict badge, conditions coloured by status) and, beside
them, the source of every condition, opened at the quote when the condition is clicked."""
from __future__ import annotations

from assistant.serving.render.markup import esc

VERDICT_CLASS = {"符合": "el-yes", "不符合": "el-no", "待确认": "el-maybe"}
STATUS_CLASS = {"满足": "el-met", "不满足": "el-failed", "未知": "el-unknown"}
CONTEXT_CHARS = 160


def eligibility_html(result: dict, text_of) -> tuple[str, str]:
    """(cards, sources) for one check; `text_of(doc_id)` gives a document's text, or "" when unknown."""
    measures = result["measures"]
    if not measures:
        return ('<p class="muted">没有找到可申报的措施：知识库中写明申报条件、且在申报日期有效的措施都不适用，'
                '或需要更多企业信息。可勾选“同时列出不符合的措施”查看原因。</p>', "")
    head = (f'<p class="muted">申报日期 {esc(result["as_of"])}；共 {len(measures)} 项。结论只依据企业所填信息和原文条件，'
            '“待确认”表示还需补充材料，最终以受理部门审核为准。点击条件可查看原文。</p>')
    cards, sources = [], []
    for n, m in enumerate(measures, 1):
        rows = []
        for i, c in enumerate(m["conditions"]):
            anchor = f"el-src-{n}-{i}"
            rows.append(f'<tr class="{STATUS_CLASS[c["status"]]}"><td><span class="el-badge">{esc(c["status"])}</span></td>'
                        f'<td><a class="el-cond" href="#{anchor}">{esc(c["quote"])}</a></td>'
                        f'<td>{esc(c["reason"])}{_fact(c["fact"])}</td></tr>')
            sources.append(_source(anchor, m, c, text_of(m["doc"])))
        facts = [f"<div><b>{label}：</b>{esc(q['text'])}</div>" for label, q in
                 (("支持标准", m["amount"]), ("申报时间", m["deadline"]), ("受理单位", m["office"])) if q]
        notes = "".join(f'<div class="notice">{esc(x)}</div>' for x in m["notes"])
        cards.append(f'<div class="el-card"><h4>{n}. <span class="el-verdict {VERDICT_CLASS[m["verdict"]]}">'
                     f'{esc(m["verdict"])}</span> {esc(m["measure"])}</h4>'
                     f'<div class="muted">《{esc(m["title"])}》 · {esc(m["status"])}</div>{notes}'
                     f'<table class="el-conds"><tr><th>核对</th><th>条件（原文）</th><th>依据</th></tr>{"".join(rows)}</table>'
                     f'{"".join(facts)}</div>')
    return head + "".join(cards), "".join(sources)


def _fact(fact: str) -> str:
    return f'<div class="muted">{esc(fact)}</div>' if fact else ""


def _source(anchor: str, measure: dict, condition: dict, text: str) -> str:
    start, end = condition["quote_start"], condition["quote_end"]
    if text[start:end] == condition["quote"]:
        left, right = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        body = (f"{'…' if left else ''}{esc(text[left:start])}<mark>{esc(condition['quote'])}</mark>"
                f"{esc(text[end:right])}{'…' if right < len(text) else ''}")
    else:
        body = f"<mark>{esc(condition['quote'])}</mark>"
    return (f'<div class="src el-src" id="{anchor}"><div class="src-n"><b>{esc(measure["measure"])}</b></div>'
            f'<div class="src-doc">《{esc(measure["title"])}》 · {esc(measure["status"])} · 第 {start}–{end} 字</div>'
            f'<div class="src-text">{body}</div></div>')
