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
