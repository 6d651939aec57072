"""The browser app put together: the four tabs and the `gradio_client` endpoints in one Blocks, mounted on the
HTTP API's FastAPI app by `main` (the entry point behind ``python app.py``)."""
import argparse
import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError
from assistant.serving import settings
from assistant.serving.feedback import DEFAULT_LOG
from assistant.serving.render.documents import library_line
from assistant.serving.service import Service, start
from assistant.serving.uploads import MB
from assistant.serving.web import PRIVATE
from assistant.serving.web.browse import browse_tab
from assistant.serving.web.endpoints import api_endpoints
from assistant.serving.web.kb import kb_tab
from assistant.serving.web.match import match_tab
from assistant.serving.web.qa import qa_tab
from assistant.serving.web.style import CSS, HEAD
from assistant.serving.wiring import add_answer_args, add_kb_args


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="政策问答助手网页版")
    p.add_argument("--host", default="127.0.0.1", help="监听地址 (default: %(default)s)")
    p.add_argument("--port", type=int, default=7860, help="端口 (default: %(default)s)")
    p.add_argument("--admin-token", default="", help="上传/删除文件所需的管理口令 (或设置 POLICY_QA_ADMIN_TOKEN); 空 = 停用上传和删除")
    p.add_argument("--max-upload-mb", type=float, default=20.0, help="上传文件大小上限, MB (default: %(default)s)")
    p.add_argument("--feedback-log", type=Path, default=DEFAULT_LOG, help="👍/👎 反馈日志 (default: %(default)s)")
    p.add_argument("--concurrency", type=int, default=32, help="同时处理的请求数 (default: %(default)s)")
    p.add_argument("--no-warmup", action="store_true", help="启动时不预先加载大模型")
    add_kb_args(p)
    add_answer_args(p)
    p.set_defaults(**settings.load())
    return p


def build_app(service: Service, options: argparse.Namespace) -> gr.Blocks:
    """The four tabs and the API endpoints, over one shared Service."""
    staging = Path(tempfile.mkdtemp(prefix="policy-qa-"))  # uploads being checked, and match exports
    atexit.register(shutil.rmtree, staging, True)
    exports = staging / "exports"
    exports.mkdir()
    with gr.Blocks(title="政策问答助手", delete_cache=(3600, 86400)) as demo:
        mode = "原文摘录（未启用大模型）" if service.current.assistant.model is None else "大模型生成 + 原文核验"
        gr.Markdown(f"## 政策问答助手\n回答只依据知识库中的政策原文，并注明出处；回答方式：{mode}。", elem_id="intro")
        line = gr.HTML(library_line(service.current.assistant.retriever.library), elem_id="library-line")
        with gr.Tab("问答", id="qa"):
            qa = qa_tab(service, options.feedback_log)
        with gr.Tab("政策匹配", id="match"):
            match = match_tab(service, exports)
        with gr.Tab("政策浏览", id="browse"):
            browse = browse_tab(service)
        with gr.Tab("知识库", id="kb"):
            kb = kb_tab(service, options, staging, qa, browse, match, line)
        demo.load(kb.refresh, kb.inputs, kb.refreshed, show_progress="hidden", **PRIVATE)  # a page opened after someone uploaded sees it
        api_endpoints(service)
    return demo


def main(argv: list[str] | None = None) -> int:
    """Serve the HTTP API (`serving.api`) with the gradio app mounted at /, on one port over one Service."""
    import uvicorn

    from assistant.serving.api import add_api_args, api_config, create_app

    p = parser()
    add_api_args(p)
    p.set_defaults(**settings.load())
    args = p.parse_args(argv)
    if args.max_upload_mb <= 0 or args.concurrency < 1:
        p.error(f"need --max-upload-mb > 0 and --concurrency >= 1, got {args.max_upload_mb}, {args.concurrency}")
    try:
        config = api_config(args)
    except ValueError as e:
        p.error(str(e))
    try:
        service = start(args)
    except (AssistantError, ValueError, OSError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    demo = build_app(service, args)
    demo.max_threads = max(40, 2 * args.concurrency)
    demo.queue(default_concurrency_limit=args.concurrency)
    app = gr.mount_gradio_app(
        create_app(service, config), demo, path="/", server_name=args.host, server_port=args.port,
        footer_links=["api"], max_file_size=int(args.max_upload_mb * MB) + MB, css=CSS, head=HEAD,
        theme=gr.themes.Soft(font=["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif"],
                             font_mono=["Noto Sans Mono CJK SC", "WenQuanYi Micro Hei Mono", "monospace"]))
    print(f"网页地址：http://{args.host}:{args.port}　HTTP 接口文档：http://{args.host}:{args.port}/docs", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0
