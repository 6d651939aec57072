"""A match result as Markdown (reading, the API) and CSV (spreadsheets)."""
from __future__ import annotations

import csv
import io

from assistant.matching.matcher import MatchResult


def to_markdown(result: MatchResult) -> str:
    """The result as Markdown, for reading and for the /match API."""
    c = result.company
    asked = "；".join(p for p in (c.description, c.industry and f"行业：{c.industry}", c.size and f"规模：{c.size}",
                                   c.district and f"区县：{c.district}") if p)
    lines = ["# 政策匹配结果", "", f"企业情况：{asked}", ""]
    lines += [f"> {n}" for n in result.notices]
    if result.notices:
        lines.append("")
    if not result.matches:
        lines.append("没有找到适用的措施。")
    for rank, m in enumerate(result.matches, start=1):
        card = m.card
        lines += [f"## {rank}. {card.label}", "",
                  f"- 匹配理由：共同关键词 {'、'.join(m.terms) or '（无）'}；原文：“{m.quote}”"]
        if m.explanation:
            lines.append(f"- 说明（经原文核验）：{m.explanation}")
        lines += [f"- 责任部门：{'、'.join(card.departments) or '文件未写明'}",
                  f"- 引用：{card.reference}", f"- 下一步：{m.next_step}", ""]
    return "\n".join(lines).rstrip() + "\n"


CSV_HEADER = ["排名", "条目", "标题", "条款路径", "文件", "文号", "责任部门", "牵头部门", "共同关键词", "匹配原文",
              "说明", "下一步", "引用", "匹配分"]


def to_csv(result: MatchResult) -> str:
    """The result as CSV text (write it as utf-8-sig so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for rank, m in enumerate(result.matches, start=1):
        card = m.card
        w.writerow([rank, card.number, card.heading, " > ".join(card.path), card.title, card.doc_number,
                    "、".join(card.departments), card.lead, "、".join(m.terms), m.quote, m.explanation, m.next_step,
                    card.reference, f"{m.score:.4f}"])
    return out.getvalue()


def eligibility_markdown(result: dict) -> str:
    """An eligibility check (the shape `serving.eligibility.check_request` returns) as Markdown."""
    lines = ["# 申报条件核对结果", "", f"申报日期：{result['as_of']}　企业：{result.get('company') or '（未填名称）'}", ""]
    if not result["measures"]:
        lines.append("没有找到可申报的措施。")
    for n, m in enumerate(result["measures"], start=1):
        lines += [f"## {n}. 【{m['verdict']}】{m['measure']}", "", f"- 文件：《{m['title']}》（{m['status']}）"]
        lines += [f"- {label}：{q['text']}" for label, q in (("支持标准", m["amount"]), ("申报时间", m["deadline"]),
                                                             ("受理单位", m["office"])) if q]
        lines += [f"- {note}" for note in m["notes"]]
        lines += ["", "| 核对 | 条件（原文） | 依据 |", "|---|---|---|"]
        lines += [f"| {c['status']} | {_cell(c['quote'])} | {_cell(c['reason'])}{'；' + _cell(c['fact']) if c['fact'] else ''} |"
                  for c in m["conditions"]]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


ELIGIBILITY_HEADER = ["序号", "结论", "措施", "文件", "文件状态", "条件原文", "起", "止", "核对", "依据", "事实", "支持标准",
                      "申报时间", "截止日期", "受理单位", "提示"]


def eligibility_csv(result: dict) -> str:
    """One row per condition, so a spreadsheet can filter by status."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(ELIGIBILITY_HEADER)
    for n, m in enumerate(result["measures"], start=1):
        q = lambda x: (m[x] or {}).get("text", "")  # noqa: E731
        for c in m["conditions"]:
            w.writerow([n, m["verdict"], m["measure"], m["title"], m["status"], c["quote"], c["quote_start"],
                        c["quote_end"], c["status"], c["reason"], c["fact"], q("amount"), q("deadline"),
                        (m["deadline"] or {}).get("value", ""), q("office"), "；".join(m["notes"])])
    return out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")
