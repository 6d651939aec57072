"""The 问答 tab: streamed answers with their sources beside them, follow-ups, 👍/👎, and the 筛选条件."""
import html
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from assistant.answering.events import Done, Sources, Token
from assistant.errors import AssistantError
from assistant.limits import InvalidInput, check_question
from assistant.records import Answer
from assistant.serving.feedback import record
from assistant.serving.render.answers import EMPTY_SOURCES, answer_markdown, link_citations, sources_html
from assistant.serving.render.filters import ANY, filter_options, filters_line, qa_filters
from assistant.serving.render.markup import esc
from assistant.serving.service import Service, stream
from assistant.serving.web import PRIVATE

EXAMPLES = ["生鲜电商有哪些支持措施？", "那责任部门呢？", "在线教育由哪些部门负责？", "文件的文号是什么？",
            "无人工厂的建设目标是多少家？", "市商务委负责哪些事项？"]
NONE = ([], ANY, ANY, [], ANY, ANY)  # the 问答 filters with nothing chosen


def qa_tab(service: Service, feedback_log: Path) -> SimpleNamespace:
    """问答: streamed answers with their sources beside them; follow-ups use the turns before; a collapsed
    筛选条件 narrows the documents answers may use (a filter that matches nothing is refused, never widened)."""
    answers = gr.State([])
    choices = filter_options(service.current.assistant.retriever.library)
    with gr.Row():
        with gr.Column(scale=3):
            controls, reset = _filters_panel(choices)
            active = gr.HTML("", elem_id="filter-active")
            chatbot, question, send, clear, thanks = _chat_panel()
        with gr.Column(scale=2, elem_id="sources-column"):  # sticks to the window top as the page scrolls by (style.CSS)
            gr.Markdown("### 来源")
            sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
    events = _Events(service, feedback_log)
    chat_io = dict(fn=events.chat, inputs=[question, answers, *controls], outputs=[chatbot, sources, answers, question],
                   show_progress="hidden", **PRIVATE)
    question.submit(**chat_io)
    send.click(**chat_io)
    describe = events.describe  # one bound method: the six events share its concurrency group, as one function did
    for control in controls:
        control.change(describe, controls, [active], show_progress="hidden", **PRIVATE)
    reset.click(lambda: ([], ANY, ANY, [], ANY, ANY, ""), outputs=[*controls, active], **PRIVATE)
    clear.click(lambda: ([], [], EMPTY_SOURCES, ""), outputs=[chatbot, answers, sources, thanks], **PRIVATE)
    chatbot.clear(lambda: ([], EMPTY_SOURCES, ""), outputs=[answers, sources, thanks], **PRIVATE)
    chatbot.select(events.show_turn, [answers], [sources], **PRIVATE)
    chatbot.like(events.feedback, [answers], [thanks], **PRIVATE)
    return SimpleNamespace(controls=controls, refresh=events.refresh, outputs=[*controls, active])


def _filters_panel(choices: dict[str, list]) -> tuple[list, gr.Button]:
    """The collapsed 筛选条件: its six controls (in the order `qa_filters` takes them) and the reset button."""
    with gr.Accordion("筛选条件", open=False, elem_id="qa-filters"):
        with gr.Row():
            docs = gr.Dropdown(choices["documents"], value=[], multiselect=True, label="文件", scale=3,
                               elem_id="filter-docs", info="不选 = 全部文件；可多选")
            issuer = gr.Dropdown([ANY, *choices["issuers"]], value=ANY, label="发文机关", scale=2,
                                 elem_id="filter-issuer")
        with gr.Row():
            kind = gr.Dropdown([ANY, *choices["kinds"]], value=ANY, label="文件类型", scale=1,
                               elem_id="filter-kind")
            status = gr.CheckboxGroup(choices["statuses"], value=[], label="效力状态（不选 = 不限）", scale=2,
                                      elem_id="filter-status")
            year_from = gr.Dropdown([ANY, *choices["years"]], value=ANY, label="年份范围：从", scale=1,
                                    elem_id="filter-year-from")
            year_to = gr.Dropdown([ANY, *choices["years"]], value=ANY, label="至", scale=1,
                                  elem_id="filter-year-to")
        reset = gr.Button("清除筛选条件", size="sm", elem_id="filter-reset")
    return [docs, issuer, kind, status, year_from, year_to], reset


def _chat_panel() -> tuple[gr.Chatbot, gr.Textbox, gr.Button, gr.Button, gr.Markdown]:
    """The conversation, the question box with its buttons, the examples and the feedback message. The chat takes
    the window's height less what is around it, so that the examples are seen without scrolling."""
    chatbot = gr.Chatbot(label="对话", height="calc(100vh - 460px)", min_height=300, buttons=["copy", "copy_all"],
                         elem_id="chat", placeholder="请输入关于政策文件的问题，例如“生鲜电商有哪些支持措施？”")
    with gr.Row(equal_height=True):
        question = gr.Textbox(show_label=False, placeholder="输入问题，按回车发送", scale=6, elem_id="question")
        send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
        clear = gr.Button("清空对话", scale=1, min_width=80, elem_id="clear")
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="示例问题（可追问，如“那责任部门呢？”）",
                elem_id="examples")
    thanks = gr.Markdown(elem_id="feedback-message")
    return chatbot, question, send, clear, thanks


def _turn_of(evt) -> int:
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    return int(index) // 2


def _history(past: Sequence[Answer]) -> list[dict]:
    out = []
    for turn, a in enumerate(past):
        out += [{"role": "user", "content": a.question}, {"role": "assistant", "content": answer_markdown(a, turn)}]
    return out


class _Events:
    """The tab's event handlers; each reads `service.current`, since the library may have changed since the page
    was built."""

    def __init__(self, service: Service, feedback_log: Path):
        self.service, self.feedback_log = service, feedback_log

    def chat(self, text: str, past: list[Answer], *chosen):
        if not (text or "").strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            text = check_question(text)
        except InvalidInput as e:  # the question stays in the box, to be shortened
            yield _history(past) + [{"role": "assistant", "content": f"⚠️ {e}"}], gr.skip(), past, gr.skip()
            return
        snap, turn = self.service.current, len(past)
        messages = _history(past) + [{"role": "user", "content": text},
                                     {"role": "assistant", "content": "正在检索相关条款…"}]
        yield messages, gr.skip(), past, ""
        generated, banner = "", ""
        try:
            for event in stream(snap.assistant, text, past, qa_filters(*chosen)):
                if isinstance(event, Sources):
                    banner = f'<div class="banner">{esc(event.notice)}</div>\n\n' if event.notice else ""
                    messages[-1]["content"] = (f"{banner}已找到 {len(event.citations)} 条依据（见右侧「来源」），"
                                               "正在生成回答…")
                    yield messages, sources_html(event.citations, turn, snap.matcher), past, gr.skip()
                elif isinstance(event, Token):
                    generated += event.text
                    messages[-1]["content"] = banner + link_citations(html.escape(generated, quote=False), turn) + " ▍"
                    yield messages, gr.skip(), past, gr.skip()
                elif isinstance(event, Done):
                    past = past + [event.answer]
                    messages[-1]["content"] = answer_markdown(event.answer, turn)
                    yield (messages, sources_html(event.answer.citations, turn, snap.matcher, event.answer), past,
                           gr.skip())
        except AssistantError as e:  # the question is not added to the history; the user can ask again
            messages[-1]["content"] = f"抱歉，这次没能回答：{html.escape(str(e), quote=False)}"
            yield messages, gr.skip(), past, gr.skip()

    def show_turn(self, past: list[Answer], evt: gr.SelectData):
        turn = _turn_of(evt)
        if not 0 <= turn < len(past):
            return gr.skip()
        return sources_html(past[turn].citations, turn, self.service.current.matcher, past[turn])

    def feedback(self, past: list[Answer], evt: gr.LikeData):
        turn = _turn_of(evt)
        if not 0 <= turn < len(past) or not isinstance(evt.liked, bool):
            return gr.skip()
        record(self.feedback_log, past[turn].question, past[turn], "up" if evt.liked else "down")
        return f"已记录您对第 {turn + 1} 轮回答的反馈（{'有帮助' if evt.liked else '没帮助'}），谢谢！"

    def describe(self, *chosen):
        return filters_line(qa_filters(*chosen), self.service.current.assistant.retriever.library)

    def refresh(self, *chosen):
        """New choices after the library changed; what is still offered stays chosen."""
        offered = filter_options(self.service.current.assistant.retriever.library)
        chosen_docs, chosen_issuer, chosen_kind, chosen_status, low, high = chosen or NONE
        ids = {d for _, d in offered["documents"]}
        kept = ([d for d in chosen_docs or [] if d in ids],
                chosen_issuer if chosen_issuer in offered["issuers"] else ANY,
                chosen_kind if chosen_kind in offered["kinds"] else ANY,
                [x for x in chosen_status or [] if x in offered["statuses"]],
                low if low in offered["years"] else ANY, high if high in offered["years"] else ANY)
        new = [offered["documents"], [ANY, *offered["issuers"]], [ANY, *offered["kinds"]], offered["statuses"],
               [ANY, *offered["years"]], [ANY, *offered["years"]]]
        # a value is sent only when it must change: a choice made while this ran (page load) is not undone
        changed = bool(chosen) and kept != tuple(chosen)
        return (*(gr.update(choices=c, value=k) if chosen and k != v else gr.update(choices=c)
                  for c, k, v in zip(new, kept, chosen or NONE)), self.describe(*kept) if changed else gr.skip())
