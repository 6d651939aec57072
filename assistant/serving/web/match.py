"""The 政策匹配 tab: a company profile checked against each measure's conditions (`eligibility`), then a company
description → the measures that read alike, with reasons, lead departments and exports."""
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from assistant.matching.cards import SIZES
from assistant.matching.export import to_csv, to_markdown
from assistant.matching.matcher import Company
from assistant.serving.render.filters import ANY
from assistant.serving.render.markup import esc
from assistant.serving.render.matches import match_html
from assistant.serving.service import Service
from assistant.serving.web import PRIVATE
from assistant.serving.web.eligibility import eligibility_section
from assistant.serving.web.exports import HIDDEN, export_buttons, write_exports


def match_tab(service: Service, exports: Path) -> SimpleNamespace:
    """政策匹配: a company description → the measures that fit, with reasons, lead departments and exports."""
    snap = service.current
    eligibility_section(service, exports)
    gr.Markdown("### 按业务描述查找相关条款\n描述企业的主营业务，查找现有文件中相关的措施、匹配理由和牵头部门（按相似度，不核对申报条件）。")
    with gr.Row():
        with gr.Column(scale=2):
            description = gr.Textbox(label="企业业务描述", lines=4, elem_id="match-description",
                                     placeholder="例如：我们是一家生鲜电商企业，线上销售蔬菜水果，自建冷链仓储和配送。")
            with gr.Row():
                industry = gr.Dropdown([ind.name for ind in snap.matcher.industries], value=None,
                                       label="所属行业（从现有文件中归纳）", elem_id="match-industry")
                size = gr.Radio([ANY, *SIZES], value=ANY, label="企业规模")
            with gr.Row():
                district = gr.Textbox(label="所在区县（可选）", placeholder="例如：浦东新区")
                k = gr.Slider(3, 10, value=5, step=1, label="显示条数")
            use_llm = gr.Checkbox(False, label="用大模型为前 3 条补充一句说明（约需 1 分钟；说明经原文核验，未通过的不显示）",
                                  visible=snap.assistant.model is not None)
            find = gr.Button("查找适用措施", variant="primary", elem_id="match-run")
            md_file, csv_file = export_buttons("match")
        with gr.Column(scale=3):
            matches = gr.HTML('<p class="muted">结果将显示在这里。</p>', elem_id="match-result")

    def run_match(text: str, industry_name: str | None, size_name: str, district_name: str, count: float,
                  explain: bool):
        snap = service.current
        company = Company(text or "", industry_name or "", "" if size_name == ANY else size_name or "",
                          district_name or "")
        try:
            result = snap.matcher.match(company, k=int(count), model=snap.assistant.model if explain else None)
        except ValueError as e:
            return f'<div class="notice">{esc(str(e))}</div>', gr.update(**HIDDEN), gr.update(**HIDDEN)
        return (match_html(result),
                *write_exports(exports, "政策匹配结果", to_markdown(result), to_csv(result)))

    find.click(run_match, [description, industry, size, district, k, use_llm], [matches, md_file, csv_file], **PRIVATE)
    return SimpleNamespace(industry=industry)
