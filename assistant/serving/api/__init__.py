"""The HTTP API: OpenAI-compatible chat with references, search, answers, matching, documents, health.

This package is the only place that imports FastAPI. `serving.web.app.main` mounts the gradio app on the app built
here, so one process on one port serves both over one `Service` (one index, one model). Errors are OpenAI's
shape, ``{"error": {"message", "type", "code", "param"}}``, with Chinese messages. Example::

    app = create_app(service, ApiConfig(admin_token="…"))
    uvicorn.run(app, host="127.0.0.1", port=7860)

The local model writes one answer at a time: answering requests wait in a bounded queue (`ModelQueue`) and are
refused with 503 and Retry-After beyond it. Search, match and documents never wait for the model.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.limits import MAX_QUESTION_CHARS
from assistant.serving.api import chat, documents, eligibility, errors, health, match, search
from assistant.serving.api.config import ApiConfig, add_api_args, api_config
from assistant.serving.api.docs import install_docs
from assistant.serving.api.model_queue import Answers, ModelQueue
from assistant.serving.service import Service

__all__ = ["ApiConfig", "add_api_args", "api_config", "create_app"]  # what cli and web use

DESCRIPTION = f"""政策问答助手的 HTTP 接口，与网页版同一进程、同一端口、同一索引和模型。

* `POST /v1/chat/completions` 兼容 OpenAI（官方 `openai` 客户端、LangChain `ChatOpenAI` 可直接使用）；引用在
  `choices[0].message.references`（流式时在 finish_reason 为 stop 的 chunk 的 `delta.references`），核验结果在 `verification`。
* 问题 1–{MAX_QUESTION_CHARS} 字；上传文件受 `--max-upload-mb` 限制。
* `usage` 为回答所用大模型的 token 数，各次调用（翻译问题、作答）之和，按模型后端计数（本地 llama.cpp、transformers
  用其分词器；OpenAI 兼容服务用其返回值，未返回时按字符计）；未调用大模型时（extractive 后端、按文件结构作答、
  直接拒答）为问题与回答的字符数。流式时请求带 `stream_options.include_usage`，则在 [DONE] 前多发一个 choices 为空、带
  usage 的 chunk。
* 本页（/docs）的脚本与样式由本机提供，离线可用。
* 错误为 `{{"error": {{"message", "type", "code", "param"}}}}`；大模型繁忙时返回 503 与 `Retry-After`。
* 读接口在设置了 `--api-keys` 时需 `Authorization: Bearer <密钥>`；上传、删除需管理口令。
"""


def create_app(service: Service, config: ApiConfig = ApiConfig()) -> FastAPI:
    """The API over one Service; mount the gradio app on it afterwards (its routes come after these)."""
    app = FastAPI(title="政策问答助手 HTTP API", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_tags=[{"name": "chat"}, {"name": "retrieval"}, {"name": "documents"}, {"name": "health"}])
    app.state.service, app.state.config = service, config
    app.state.answers = Answers(ModelQueue(config.queue_size, config.queue_timeout),
                                ThreadPoolExecutor(max_workers=config.answer_workers, thread_name_prefix="api-answer"))
    app.state.staging = Path(tempfile.mkdtemp(prefix="policy-qa-api-"))
    atexit.register(shutil.rmtree, app.state.staging, True)
    errors.install_error_handlers(app)
    install_docs(app)  # before the routers and the gradio app mounted at / afterwards
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])
    for module in (health, chat, search, match, eligibility, documents, errors):  # the order of the OpenAPI document;
        app.include_router(module.router)  # errors' catch-all for unknown /v1 paths comes last
    return app
