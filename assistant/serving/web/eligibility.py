"""The 政策匹配 tab's first part: a company's profile form → each measure's conditions checked, with the quotes."""
import functools
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.limits import InvalidInput
from assistant.matching.export import eligibility_csv, eligibility_markdown
from assistant.serving.eligibility import check_request
from assistant.serving.render.eligibility import eligibility_html
from assistant.serving.render.markup import esc
from assistant.serving.service import Service
from assistant.serving.web import PRIVATE
from assistant.serving.web.exports import HIDDEN, export_buttons, write_exports

ALL_DOCS, UNSAID = "（全部有效措施）", "未说明"
SHOWN_QUALIFICATIONS = ["高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "创新型中小企业",
                        "规模以上工业企业", "技术先进型服务企业", "瞪羚企业"]


def measure_documents(service: Service) -> list[tuple[str, str]]:
    """(title, doc_id) of the documents whose measures state conditions, for the 只核对 choice."""
    docs = service.current.assistant.retriever.documents
    return [(f"{d.get('title', doc_id)}", doc_id) for doc_id, d in sorted(docs.items()) if d.get("measures")]


def eligibility_section(service: Service, exports: Path) -> gr.Dropdown:
    gr.Markdown("### 申报条件核对\n填写企业情况，逐条核对各项扶持措施的申报条件：**符合** / **不符合** / **待确认**，"
                "每条条件引用原文；没填的信息记为“未知”，不会当作满足。")
    with gr.Row():
        with gr.Column(scale=2):
            name = gr.Textbox(label="企业名称", elem_id="el-name")
            description = gr.Textbox(label="企业情况（可写主营业务、资质、经营数据等）", lines=3, elem_id="el-description",
                                     placeholder="例如：我公司在雄安新区注册，具有独立法人资格，主要从事工业软件研发，2022年3月成立。")
            with gr.Row():
                registered_in = gr.Textbox(label="注册地", placeholder="例如：河北雄安新区", elem_id="el-registered")
                district = gr.Textbox(label="所在区县", placeholder="例如：容城县")
                founded = gr.Textbox(label="成立时间（YYYY-MM）", placeholder="例如：2021-06", elem_id="el-founded")
            with gr.Row():
                # Text boxes, not gr.Number: an untouched number box reads 0, and 0 revenue is a fact, not "未说明".
                employees = gr.Textbox(label="员工人数", elem_id="el-employees")
                revenue = gr.Textbox(label="上年度营业收入（万元）", elem_id="el-revenue")
                rd = gr.Textbox(label="研发费用占营业收入（%）", elem_id="el-rd")
                capital = gr.Textbox(label="注册资本（万元）")
            qualifications = gr.CheckboxGroup(SHOWN_QUALIFICATIONS, label="已取得的资质（不勾选 = 未说明）",
                                              elem_id="el-qualifications")
            with gr.Row():
                legal = gr.Radio([UNSAID, "是", "否"], value=UNSAID, label="独立法人")
                violations = gr.Radio([UNSAID, "无", "有"], value=UNSAID, label="违法失信记录")
                tax = gr.Dropdown([UNSAID, "A", "B", "M", "C", "D"], value=UNSAID, label="纳税信用等级")
            with gr.Row():
                as_of = gr.Textbox(value=date.today().isoformat()[:7], label="申报日期（YYYY-MM）", elem_id="el-as-of")
                only = gr.Dropdown([ALL_DOCS, *measure_documents(service)], value=ALL_DOCS, label="只核对文件",
                                   elem_id="el-doc")
                k = gr.Slider(1, 20, value=5, step=1, label="显示条数")
            failed = gr.Checkbox(False, label="同时列出不符合的措施及其未满足的条件", elem_id="el-failed")
            run = gr.Button("核对申报条件", variant="primary", elem_id="el-run")
            md_file, csv_file = export_buttons("el")
        with gr.Column(scale=3):
            cards = gr.HTML('<p class="muted">核对结果将显示在这里。</p>', elem_id="el-result")
        with gr.Column(scale=2, elem_id="el-sources-column"):
            sources = gr.HTML('<p class="muted">点击条件，在这里查看原文。</p>', elem_id="el-sources")

    def check(*values):
        request = _request(*values)
        try:
            result = check_request(request, service.current.assistant.retriever.documents)
        except InvalidInput as e:
            return f'<div class="notice">{esc(str(e))}</div>', "", gr.update(**HIDDEN), gr.update(**HIDDEN)
        html, panel = eligibility_html(result, _texts(service))
        return html, panel, *write_exports(exports, "申报条件核对", eligibility_markdown(result), eligibility_csv(result))

    inputs = [name, description, registered_in, district, founded, employees, revenue, rd, capital, qualifications,
              legal, violations, tax, as_of, only, k, failed]
    run.click(check, inputs, [cards, sources, md_file, csv_file], **PRIVATE)
    return only


def _request(name, description, registered_in, district, founded, employees, revenue, rd, capital, qualifications,
             legal, violations, tax, as_of, only, k, failed) -> dict:
    """The form as the request the CLI and the API take; an empty field is left out, not guessed."""
    rd = _number(rd)
    profile = {"registered_in": registered_in, "district": district, "founded": founded, "employees": _number(employees),
               "revenue_last_year_wan": _number(revenue), "registered_capital_wan": _number(capital),
               "rd_ratio": rd / 100 if isinstance(rd, (int, float)) else rd,
               "qualifications": qualifications or None, "tax_credit": None if tax == UNSAID else tax,
               "legal_person": None if legal == UNSAID else legal == "是",
               "violations": None if violations == UNSAID else violations == "有"}
    return {"company": {"name": name or "", "description": description or "",
                        "profile": {key: v for key, v in profile.items() if v not in (None, "", [])}},
            "as_of": as_of or "", "doc": "" if only == ALL_DOCS else only, "k": int(k), "include_failed": bool(failed)}


def _number(text: str | None) -> object:
    """"3900" → 3900, "" → None; anything else is passed on for the profile check to refuse in Chinese."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text


def _texts(service: Service):
    """doc_id → its text, rebuilt from the index's chunks (offsets are the document's own), each document once
    per result however many of its conditions are shown."""
    chunks = service.current.assistant.retriever.chunks

    @functools.cache
    def text_of(doc_id: str) -> str:
        parts = sorted((c.start, c.text) for c in chunks if c.doc_id == doc_id)
        out = ""
        for start, text in parts:
            out = out.ljust(start) + text if start >= len(out) else out[:start] + text
        return out
    return text_of
