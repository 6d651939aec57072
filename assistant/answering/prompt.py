"""Prompt building: a short Chinese system prompt and numbered source excerpts (pure functions).

Prefill runs at ~100 tokens/s on 2 cores, so the model reads only the most relevant sentences.
"""
from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.extractive import rank_units
from assistant.asks import ASKS_DOCUMENT
from assistant.instructions import is_instruction, without_instructions
from assistant.records import Chunk

SYSTEM = (
    "你是政策文件问答助手。只根据用户给出的资料，用简体中文直接回答问题：用完整的句子，尽量沿用资料原文的说法；"
    "每句话末尾用[资料编号]标注出处，如[1]；资料中没有的内容，尤其是金额、日期、数量、部门和文号，一律不写；"
    "资料确实不能回答时，只回复：文件未涉及该问题。"
)
# One worked example: a constant prefix (llama.cpp reuses its cache), and it shows the 1.5B model the
# expected form far better than rules do (without it, it echoed the source labels).
EXAMPLE = [
    {"role": "user", "content": "资料1（示例 > 3、建设智能工厂）：3、建设智能工厂。支持企业建设50家智能工厂。(责任部门:市经信委、市科委)\n"
                                "资料2（示例 > 4、发展在线教育）：4、发展在线教育。推动学校建设在线学习平台。\n\n"
                                "问题：智能工厂要建多少家，谁负责？"},
    {"role": "assistant", "content": "方案提出支持企业建设50家智能工厂[1]，责任部门为市经信委、市科委[1]。"},
]


LEAD_CHARS = 24


def select_excerpts(question: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]], budget: int,
                    per_source: int = 3) -> list[tuple[int, str]]:
    """What the model reads: sentences ranked across all sources (extractive.rank_units), taken best first
    while they fit in `budget` characters, at most `per_source` from one source. Returns (source index,
    excerpt) in source order; a source none of whose sentences made the cut is left out, because the
    1.5B model readily answers from a weak source placed next to the right one. Sentences addressed to an
    AI (assistant.instructions) are never taken: documents are material to quote, not instructions."""
    chosen: dict[int, list[int]] = {}
    used = 0
    ranked = rank_units(question, chunks, scores)
    rankable = {(ci, ui) for _, ci, ui in ranked}
    for _, ci, ui in ranked:
        units = chunks[ci].units
        picked = chosen.get(ci, [])
        if is_instruction(chunks[ci].text[units[ui][0] : units[ui][1]]):  # an index built before units were cleaned
            continue
        if ui in picked:  # already shown as the lead-in of the sentence after it
            continue
        # a short lead-in line ("——推出“100+”应用场景。") often holds the number the next sentence explains
        lead = [ui - 1] if ((ci, ui - 1) in rankable and ui - 1 not in picked
                            and units[ui - 1][1] - units[ui - 1][0] <= LEAD_CHARS) else []
        size = sum(units[i][1] - units[i][0] for i in [*lead, ui])
        if (used + size > budget and chosen) or len(picked) >= per_source:
            continue
        chosen.setdefault(ci, []).extend([*lead, ui])
        used += size
    if not chosen and chunks:  # nothing rankable (a bare title or department line): show the top source
        return [(0, without_instructions(chunks[0].text))]
    out = []
    for ci in sorted(chosen):
        chunk, parts, prev_end = chunks[ci], [], None
        for ui in sorted(chosen[ci]):
            s, e = chunk.units[ui]
            if prev_end is not None and s > prev_end:
                parts.append("……")
            parts.append(chunk.text[s:e])
            prev_end = e
        out.append((ci, "".join(parts)))
    return out


def source_label(chunk: Chunk, text: str, with_title: bool) -> str:
    """The clause path, the title only when sources come from several documents or the question asks
    which document governs, the departments only when the excerpt lost its (责任部门:…) note: every
    character costs prefill time."""
    depts = f"（责任部门：{'、'.join(chunk.departments)}）" if chunk.departments and "责任部门" not in text else ""
    title = f"《{chunk.title}》" if with_title else ""
    return f"{title}{chunk.path_str}{depts}"


def build_messages(question: str, excerpts: Sequence[tuple[Chunk, str]]) -> list[dict]:
    """Chat messages: system rules, the worked example, then the numbered sources and the question."""
    several = len({c.doc_id for c, _ in excerpts}) > 1 or bool(ASKS_DOCUMENT.search(question))
    sources = "\n".join(f"资料{n}（{source_label(c, text, several)}）：{without_instructions(text)}"
                        for n, (c, text) in enumerate(excerpts, start=1))
    return [{"role": "system", "content": SYSTEM}, *EXAMPLE,
            {"role": "user", "content": f"{sources}\n\n问题：{question}"}]
