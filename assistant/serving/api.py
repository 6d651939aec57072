"""The HTTP API: OpenAI-compatible chat with references, search, answers, matching, documents, health.

The only module that imports FastAPI. `serving.web.main` mounts the gradio app on the app built here, so one
process on one port serves both over one `Service` (one index, one model). Errors are OpenAI's shape,
``{"error": {"message", "type", "code", "param"}}``, with Chinese messages. Example::

    app = create_app(service, ApiConfig(admin_token="…"))
    uvicorn.run(app, host="127.0.0.1", port=7860)

The local model writes one answer at a time: answering requests wait in a bounded queue (`ModelQueue`) and are
refused with 503 and Retry-After beyond it. Search, match and documents never wait for the model.
"""
from __future__ import annotations

import argparse
import asyncio
import atexit
import hmac
import json
import math
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.answering.answer import Done, Event, Sources, Token, rewrite_followup
from assistant.errors import AssistantError, DocumentError, ModelUnavailable, UnsupportedDocument
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.limits import (MAX_FILE_MB, MAX_QUESTION_CHARS, FileTooLarge, InvalidInput, TextTooLong,
                              check_name, check_question)
from assistant.matching.cards import SIZES
from assistant.matching.matcher import Company
from assistant.records import STATUS_LABELS, Answer
from assistant.retrieval.retrieve import Filters
from assistant.serving.render import MB, reason_cn
from assistant.serving.service import Service, answer_json, citation_json, stream

MODEL_ID = "policy-qa"
MAX_K = 20
MAX_MESSAGES = 64
MAX_FIELD_CHARS = 100  # industry, size, district, department, section, document names
DESCRIPTION = f"""政策问答助手的 HTTP 接口，与网页版同一进程、同一端口、同一索引和模型。

* `POST /v1/chat/completions` 兼容 OpenAI（官方 `openai` 客户端、LangChain `ChatOpenAI` 可直接使用）；引用在
  `choices[0].message.references`（流式时在最后一个 chunk 的 `delta.references`），核验结果在 `verification`。
* 问题 1–{MAX_QUESTION_CHARS} 字；上传文件受 `--max-upload-mb` 限制。
* 错误为 `{{"error": {{"message", "type", "code", "param"}}}}`；大模型繁忙时返回 503 与 `Retry-After`。
* 读接口在设置了 `--api-keys` 时需 `Authorization: Bearer <密钥>`；上传、删除需管理口令。
"""


@dataclass(frozen=True)
class ApiConfig:
    """Who may call what, CORS, and how long answering requests may wait for the model."""

    admin_token: str = ""  # writes (upload, delete) need it; "" = writes are refused
    api_keys: tuple[str, ...] = ()  # reads need one of them (or the admin token); () = reads are open
    cors_origins: tuple[str, ...] = ()  # () = no CORS headers
    max_upload_mb: float = MAX_FILE_MB
    queue_size: int = 4  # answering requests that may wait while the model writes another answer
    queue_timeout: float = 60.0  # seconds one of them may wait before it gets 503
    answer_workers: int = 4  # threads that run answers (search, match and documents use others)

    def __post_init__(self):
        if self.max_upload_mb <= 0 or self.queue_size < 0 or self.queue_timeout <= 0 or self.answer_workers < 1:
            raise ValueError(f"need max_upload_mb > 0, queue_size >= 0, queue_timeout > 0, answer_workers >= 1; got "
                             f"{self.max_upload_mb}, {self.queue_size}, {self.queue_timeout}, {self.answer_workers}")
        if any(not k.strip() for k in self.api_keys):
            raise ValueError(f"empty API key in {self.api_keys!r}")


def add_api_args(p: argparse.ArgumentParser) -> None:
    """Options of the HTTP API (the admin token and upload limit are the web app's own)."""
    g = p.add_argument_group("HTTP 接口 / HTTP API")
    g.add_argument("--api-keys", default="", help="读接口所需的密钥, 逗号分隔 (或设置 POLICY_QA_API_KEYS); 空 = 不需要")
    g.add_argument("--cors-origins", default="", help="允许跨域访问的来源, 逗号分隔, e.g. https://portal.example.gov.cn; "
                                                      "空 = 不允许跨域 (default)")
    g.add_argument("--queue-size", type=int, default=ApiConfig.queue_size,
                   help="等待大模型的请求数上限, 超过则返回 503 (default: %(default)s)")
    g.add_argument("--queue-timeout", type=float, default=ApiConfig.queue_timeout,
                   help="请求等待大模型的最长秒数, 超过则返回 503 (default: %(default)s)")


def api_config(args: argparse.Namespace) -> ApiConfig:
    """The API's settings from the app's arguments."""
    return ApiConfig(admin_token=args.admin_token or "", api_keys=_split(args.api_keys),
                     cors_origins=_split(args.cors_origins), max_upload_mb=float(args.max_upload_mb),
                     queue_size=int(args.queue_size), queue_timeout=float(args.queue_timeout))


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


# ---------- errors ----------

class ApiError(Exception):
    """An error answered as OpenAI does: status, and {"error": {"message", "type", "code", "param"}}."""

    TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
             404: "not_found_error", 409: "conflict_error", 411: "invalid_request_error",
             413: "invalid_request_error", 415: "invalid_request_error", 422: "invalid_request_error",
             503: "server_overloaded"}

    def __init__(self, status: int, message: str, code: str, param: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.TYPES.get(self.status, "server_error"),
                          "code": self.code, "param": self.param}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def validation_error(exc: RequestValidationError) -> ApiError:
    """FastAPI's validation errors as one 400, naming the first bad field."""
    first = exc.errors()[0] if exc.errors() else {"type": "", "loc": (), "msg": ""}
    field = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    kind = first.get("type", "")
    if kind == "json_invalid":
        return ApiError(400, f"请求体不是合法的 JSON：{first.get('ctx', {}).get('error', first.get('msg'))}",
                        "invalid_json")
    if kind == "missing":
        return ApiError(400, f"缺少必填字段 {field or '请求体'}", "missing_field", field or None)
    if kind == "extra_forbidden":
        return ApiError(400, f"未知字段 {field}", "unknown_field", field)
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    if not field:
        return ApiError(400, f"请求体应为 JSON 对象：{message}", "invalid_body")
    return ApiError(400, f"字段 {field} 不合法：{message}", "invalid_value", field)


def install_error_handlers(app: FastAPI) -> None:
    """Every error the app answers — ours, validation, unknown routes, crashes — in OpenAI's shape."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error(exc).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: ("接口不存在", "not_found"), 405: ("该接口不支持此请求方法", "method_not_allowed")}
        message, code = codes.get(exc.status_code, (str(exc.detail), "http_error"))
        return ApiError(exc.status_code, f"{message}：{request.method} {request.url.path}", code,
                        headers=dict(exc.headers or {})).response()

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        return ApiError(500, f"服务器内部错误：{type(exc).__name__}: {exc}", "internal_error").response()


# ---------- access ----------

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API 密钥或管理口令>")


def _token_check(given: HTTPAuthorizationCredentials | None, accepted: tuple[str, ...], what: str) -> None:
    """401 without a bearer token, 403 with one that is not accepted."""
    if given is None or not given.credentials:
        raise ApiError(401, f"缺少{what}：请在请求头中加入 Authorization: Bearer <{what}>", "missing_token",
                       headers={"WWW-Authenticate": "Bearer"})
    if not any(hmac.compare_digest(given.credentials.encode(), t.encode()) for t in accepted):
        raise ApiError(403, f"{what}不正确", "invalid_token")


# ---------- the model queue ----------

class ModelQueue:
    """One answer from the model at a time; `waiting` more may wait up to `timeout` s; beyond, 503 + Retry-After."""

    def __init__(self, waiting: int, timeout: float):
        self.waiting, self.timeout = waiting, timeout
        self._slot = asyncio.Semaphore(1)
        self._held = 0  # the request generating plus those waiting
        self._started = 0.0
        self._mean_s = 10.0  # running mean of one answer's time, for Retry-After

    def retry_after(self) -> str:
        return str(max(1, math.ceil(self._mean_s * max(1, self._held))))

    async def acquire(self) -> None:
        if self._held > self.waiting:
            raise ApiError(503, f"大模型繁忙：已有 {self._held} 个请求在处理或排队，请稍后再试", "model_busy",
                           headers={"Retry-After": self.retry_after()})
        self._held += 1
        try:
            await asyncio.wait_for(self._slot.acquire(), self.timeout)
        except TimeoutError:
            self._held -= 1
            raise ApiError(503, f"大模型繁忙：排队超过 {self.timeout:g} 秒，请稍后再试", "model_busy",
                           headers={"Retry-After": self.retry_after()}) from None
        except BaseException:  # the client went away while waiting
            self._held -= 1
            raise
        self._started = time.monotonic()

    def release(self) -> None:
        self._mean_s = 0.7 * self._mean_s + 0.3 * (time.monotonic() - self._started)
        self._held -= 1
        self._slot.release()


_END = object()


@dataclass
class _Failed:
    error: BaseException


class Pump:
    """Runs one `Assistant.stream` in a worker thread at once and hands its events to the event loop;
    `stop` ends generation early (the generator is closed in its own thread, so the model is freed)."""

    def __init__(self, executor: ThreadPoolExecutor, make_events: Callable[[], Iterator[Event]],
                 finished: Callable[[], None] | None = None):
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._stop = threading.Event()
        future = self._loop.run_in_executor(executor, self._produce, make_events)
        if finished is not None:
            future.add_done_callback(lambda _: finished())

    def _put(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the event loop closed (server shutting down): nobody is listening
            pass

    def _produce(self, make_events: Callable[[], Iterator[Event]]) -> None:
        events = make_events()
        try:
            for event in events:
                self._put(event)
                if self._stop.is_set():
                    break
        except Exception as e:  # noqa: BLE001 — handed to the request, which answers it
            self._put(_Failed(e))
        finally:
            events.close()
            self._put(_END)

    async def events(self) -> AsyncIterator[Event]:
        try:
            while (item := await self._queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self._stop.set()

    def stop(self) -> None:
        self._stop.set()


def answer_error(e: Exception) -> ApiError:
    """What an answering request that failed answers."""
    if isinstance(e, InvalidInput):
        return ApiError(400, str(e), "invalid_question", "question")
    if isinstance(e, ModelUnavailable):
        return ApiError(503, f"大模型不可用：{e}", "model_unavailable", headers={"Retry-After": "30"})
    if isinstance(e, ValueError):
        return ApiError(400, str(e), "invalid_value")
    raise e


# ---------- request bodies ----------

QUESTION_FIELD = dict(description=f"问题, 1–{MAX_QUESTION_CHARS} 字", json_schema_extra={"minLength": 1})


class ContentPart(BaseModel):
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One OpenAI chat message; only user turns are read (the last is the question, earlier ones the history)."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI Chat Completions request; other OpenAI fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description=f"接受任何值；只有一个助手 “{MODEL_ID}”")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    temperature: float | None = Field(None, ge=0, le=2, description="接受但不使用：回答经原文核验，温度固定")
    max_tokens: int | None = Field(None, ge=1, description="接受但不使用：回答长度由服务端设置")
    n: int | None = Field(None, ge=1, le=1, description="只支持 1")


class SearchFilters(BaseModel):
    """Restrict a search; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")
    docs: list[str] = Field(default_factory=list, max_length=50, description="文档 ID 或文件名")
    department: str = Field("", max_length=MAX_FIELD_CHARS, description="牵头或参与的责任部门, e.g. 市商务委")
    section: str = Field("", max_length=MAX_FIELD_CHARS, description="章节标题中的词, e.g. 聚焦发展重点")
    issuer: str = Field("", max_length=MAX_FIELD_CHARS, description="发文或通过机关中的词, e.g. 上海市人民代表大会常务委员会")
    kind: str = Field("", max_length=20, description="文件类型, e.g. 条例、办法、方案")
    region: str = Field("", max_length=MAX_FIELD_CHARS, description="适用地区, e.g. 上海市")
    status: list[Literal["现行有效", "已被新版本取代", "已过期", "尚未生效", "已废止"]] = Field(
        default_factory=list, max_length=5, description="效力状态, 任一即可; 给出时也检索已被取代的版本")
    years: tuple[int, int] | None = Field(None, description="版本或印发年份范围 [起, 止], e.g. [2020, 2024]")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(**QUESTION_FIELD)
    k: int = Field(5, ge=1, le=MAX_K)
    filters: SearchFilters = Field(default_factory=SearchFilters)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(**QUESTION_FIELD)
    history: list[str] = Field(default_factory=list, max_length=MAX_MESSAGES,
                               description="此前的问题, 按时间顺序; 追问(如“那责任部门呢？”)据此补全")
    filters: SearchFilters = Field(default_factory=SearchFilters)


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field("", max_length=2000, description="企业的主营业务")
    industry: str = Field("", max_length=MAX_FIELD_CHARS)
    size: str = Field("", max_length=MAX_FIELD_CHARS, description=f"企业规模: {' / '.join(SIZES)}; 空 = 不限")
    district: str = Field("", max_length=MAX_FIELD_CHARS)
    k: int = Field(5, ge=1, le=MAX_K)


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": f"{'/'.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)} 文件"}}}}}}}


# ---------- conversation ----------

def _question(text: str, param: str) -> str:
    try:
        return check_question(text)
    except InvalidInput as e:
        raise ApiError(400, str(e), "invalid_question", param) from None


def history_of(questions: list[str]) -> list[Answer]:
    """Earlier questions as the answers `Assistant.stream` rewrites follow-ups with (each made standalone in turn)."""
    history: list[Answer] = []
    for q in questions:
        standalone, _ = rewrite_followup(q, history)
        history.append(Answer(question=q, text="", citations=[], refused=False, verified="", backend="",
                              standalone_question=standalone))
    return history


def conversation(messages: list[ChatMessage]) -> tuple[str, list[Answer]]:
    """The question (the last message, from the user) and the history of the user's earlier questions."""
    if messages[-1].role != "user":
        raise ApiError(400, f"最后一条消息应是用户的问题（role 为 user），收到 {messages[-1].role}", "invalid_messages",
                       "messages")
    asked = [(i, m.text()) for i, m in enumerate(messages) if m.role == "user"]
    questions = [_question(text, f"messages.{i}.content") for i, text in asked]
    return questions[-1], history_of(questions[:-1])


def verification(answer: Answer) -> dict:
    """How the answer was checked: the extension beside `references` in chat completions."""
    return {"verified": answer.verified, "status": STATUS_LABELS[answer.verified], "refused": answer.refused,
            "backend": answer.backend, "answer": answer.text, "notes": answer.notes, "suggestions": answer.suggestions,
            "standalone_question": answer.standalone_question, "searched_as": answer.searched_as}


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion_json(answer: Answer) -> dict:
    """The whole answer as an OpenAI chat.completion, references and verification as message extensions."""
    message = {"role": "assistant", "content": answer.display_text, "references": [citation_json(c) for c in answer.citations],
               "verification": verification(answer)}
    return {"id": _completion_id(), "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}]}


def _sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


async def completion_chunks(pump: Pump) -> AsyncIterator[str]:
    """SSE: the role, the answer's text as it is written, a final chunk with references and verification, [DONE]."""
    head = {"id": _completion_id(), "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID}

    def chunk(delta: dict, finish: str | None = None) -> str:
        return _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]})

    try:
        async for event in pump.events():
            if isinstance(event, Sources):
                yield chunk({"role": "assistant", "content": f"{event.notice}\n\n" if event.notice else ""})
            elif isinstance(event, Token):
                yield chunk({"content": event.text})
            elif isinstance(event, Done):
                yield chunk({"references": [citation_json(c) for c in event.answer.citations],
                             "verification": verification(event.answer)}, "stop")
    except (AssistantError, ValueError) as e:  # headers are sent: the error travels as an OpenAI error event
        try:
            yield _sse(answer_error(e).body())
        except Exception as other:  # noqa: BLE001 — not ours to answer: still an error event, not a dropped stream
            yield _sse(ApiError(500, f"服务器内部错误：{type(other).__name__}: {other}", "internal_error").body())
    finally:
        pump.stop()
    yield _sse("[DONE]")


async def final_answer(pump: Pump) -> Answer:
    try:
        async for event in pump.events():
            if isinstance(event, Done):
                return event.answer
    except (AssistantError, ValueError) as e:
        raise answer_error(e) from e
    raise RuntimeError("answer stream ended without an answer")


# ---------- the app ----------

def create_app(service: Service, config: ApiConfig = ApiConfig()) -> FastAPI:
    """The API over one Service; mount the gradio app on it afterwards (its routes come after these)."""
    app = FastAPI(title="政策问答助手 HTTP API", version="1", description=DESCRIPTION,
                  openapi_tags=[{"name": "chat"}, {"name": "retrieval"}, {"name": "documents"}, {"name": "health"}])
    install_error_handlers(app)
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])
    queue = ModelQueue(config.queue_size, config.queue_timeout)
    executor = ThreadPoolExecutor(max_workers=config.answer_workers, thread_name_prefix="api-answer")
    staging = Path(tempfile.mkdtemp(prefix="policy-qa-api-"))
    atexit.register(shutil.rmtree, staging, True)

    def read_access(given: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if config.api_keys:
            _token_check(given, config.api_keys + ((config.admin_token,) if config.admin_token else ()), "API 密钥")

    def write_access(given: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if not config.admin_token:
            raise ApiError(403, "服务未设置管理口令（--admin-token），HTTP 接口不能修改知识库", "writes_disabled")
        _token_check(given, (config.admin_token,), "管理口令")

    def json_body(request: Request) -> None:
        kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if kind != "application/json" and not kind.endswith("+json"):
            raise ApiError(415, f"请求体应为 JSON（Content-Type: application/json），收到 {kind}", "unsupported_media_type")

    reads = [Depends(read_access)]
    json_reads = [Depends(read_access), Depends(json_body)]

    def filters_of(f: SearchFilters) -> Filters:
        """The filters, with 400 for a document the knowledge base does not hold."""
        docs = service.documents()
        known = set(docs) | {d["source"] for d in docs.values()}
        unknown = [d for d in f.docs if d not in known]
        if unknown:
            raise ApiError(400, f"未知文档：{'、'.join(unknown)}；可用的文档 ID：{'、'.join(sorted(docs))}", "unknown_document",
                           "filters.docs")
        if f.years and f.years[0] > f.years[1]:
            raise ApiError(400, f"年份范围起始年不能晚于结束年：{f.years[0]}-{f.years[1]}", "invalid_years", "filters.years")
        return Filters(tuple(f.docs), f.department, f.section, f.issuer, f.kind, f.region, tuple(f.status), f.years)

    async def answering(question: str, history: list[Answer], filters: Filters = Filters()) -> Pump:
        """Start answering: wait for the model first when there is one (or get 503)."""
        snap = service.current
        if snap.assistant.model is None:
            return Pump(executor, lambda: stream(snap.assistant, question, history, filters))
        await queue.acquire()
        try:
            return Pump(executor, lambda: stream(snap.assistant, question, history, filters), queue.release)
        except BaseException:
            queue.release()
            raise

    @app.get("/healthz", tags=["health"], summary="进程存活")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="索引已加载，大模型已加载（或不用大模型）")
    def readyz() -> JSONResponse:
        assistant = service.current.assistant
        chunks = len(assistant.retriever.index.chunks)
        model = assistant.model
        loaded = model is None or getattr(model, "_llm", True) is not None  # in-process models load lazily
        body = {"status": "ready" if chunks and loaded else "not_ready", "documents": len(service.documents()),
                "chunks": chunks, "backend": assistant.backend, "model_loaded": loaded}
        return JSONResponse(body, status_code=200 if chunks and loaded else 503)

    @app.get("/v1/models", tags=["chat"], dependencies=reads, summary="可用的模型（只有一个助手）")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "policy-qa",
                                            "backend": service.current.assistant.backend}]}

    @app.post("/v1/chat/completions", tags=["chat"], dependencies=json_reads,
              summary="OpenAI 兼容的对话：回答带 references（引用）与 verification（核验）")
    async def chat_completions(body: ChatRequest):
        question, history = conversation(body.messages)
        pump = await answering(question, history)
        if body.stream:
            return StreamingResponse(completion_chunks(pump), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return completion_json(await final_answer(pump))

    @app.post("/v1/answer", tags=["chat"], dependencies=json_reads, summary="完整的回答记录（同 ask --json）")
    async def answer(body: AnswerRequest) -> dict:
        question = _question(body.question, "question")
        history = history_of([_question(q, f"history.{i}") for i, q in enumerate(body.history)])
        return answer_json(await final_answer(await answering(question, history, filters_of(body.filters))))

    @app.post("/v1/search", tags=["retrieval"], dependencies=json_reads, summary="检索相关条款（同 search --json）")
    def search(body: SearchRequest) -> dict:
        question = _question(body.question, "question")
        hits = service.current.assistant.retriever.search(question, body.k, filters_of(body.filters))
        return {"query": question, "hits": [h.to_json() for h in hits]}

    @app.post("/v1/match", tags=["retrieval"], dependencies=json_reads, summary="企业描述 → 适用的措施（按匹配度排序）")
    def match(body: MatchRequest) -> dict:
        if body.size and body.size not in SIZES:
            raise ApiError(400, f"未知的企业规模 {body.size!r}；可选：{'、'.join(SIZES)}", "invalid_value", "size")
        try:
            result = service.current.matcher.match(Company(body.description, body.industry, body.size, body.district),
                                                   k=body.k)
        except ValueError as e:
            raise ApiError(400, str(e), "invalid_value", "description") from e
        return {"matches": [m.to_json() for m in result.matches], "notices": result.notices}

    @app.get("/v1/documents", tags=["documents"], dependencies=reads, summary="已收录的文件")
    def documents() -> dict:
        return {"object": "list", "data": [{"id": doc_id, **d} for doc_id, d in sorted(service.documents().items())]}

    @app.post("/v1/documents", tags=["documents"], status_code=201, dependencies=[Depends(write_access)],
              openapi_extra=UPLOAD_BODY, summary="上传文件并增量建立索引（需管理口令）")
    async def upload(request: Request) -> dict:
        form = await _upload_form(request, config.max_upload_mb)
        try:
            return await _add_upload(service, form, staging, config.max_upload_mb)
        finally:
            await form.close()

    @app.delete("/v1/documents/{doc_id}", tags=["documents"], dependencies=[Depends(write_access)],
                summary="删除文件（需管理口令）")
    async def delete(doc_id: str) -> dict:
        docs = service.documents()
        if doc_id not in docs:
            raise ApiError(404, f"没有文档 {doc_id!r}；可用的文档 ID：{'、'.join(sorted(docs))}", "document_not_found", "doc_id")
        if len(docs) == 1:
            raise ApiError(409, "不能删除：知识库中只剩这一个文件（问答至少需要一个文件）", "last_document", "doc_id")
        report = await run_in_threadpool(service.remove, doc_id)
        return {"id": doc_id, "title": docs[doc_id]["title"], "deleted": True, "summary": report.summary()}

    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(rest: str, request: Request) -> None:
        """Unknown /v1 paths answer in the API's shape (the gradio app mounted at / would answer the rest)."""
        raise ApiError(404, f"接口不存在：{request.method} /v1/{rest}", "not_found")

    return app


async def _upload_form(request: Request, max_mb: float) -> FormData:
    """The multipart form, read only when it is multipart and not over the size limit."""
    kind = request.headers.get("content-type", "")
    if not kind.lower().startswith("multipart/form-data"):
        raise ApiError(415, f"请用 multipart/form-data 上传文件（字段名 file），收到 {kind or '无 Content-Type'}",
                       "unsupported_media_type")
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise ApiError(411, "上传需要 Content-Length 请求头", "length_required")
    if int(length) > max_mb * MB + 64 * 1024:  # the form's own lines are a few hundred bytes
        raise ApiError(413, f"文件过大（请求 {int(length) / MB:.1f} MB），上限为 {max_mb:g} MB", "file_too_large", "file")
    try:
        return await request.form(max_files=1, max_fields=4)
    except (ValueError, AssertionError) as e:  # malformed multipart
        raise ApiError(400, f"无法解析上传的表单：{e}", "invalid_form") from e


async def _add_upload(service: Service, form: FormData, staging: Path, max_mb: float) -> dict:
    """Check the uploaded file, index it, and say what changed; nothing indexed is lost when it fails."""
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ApiError(400, "请用 multipart 字段 file 上传文件", "missing_field", "file")
    try:
        name = check_name(file.filename or "")
    except InvalidInput as e:
        raise ApiError(400, str(e), "invalid_filename", "file") from e
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)
        raise ApiError(415, f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 {kinds} 文件", "unsupported_document", "file")
    data = await file.read()
    if len(data) > max_mb * MB:
        raise ApiError(413, f"文件过大（{len(data) / MB:.1f} MB），上限为 {max_mb:g} MB", "file_too_large", "file")
    if not data:
        raise ApiError(400, "文件是空的", "empty_file", "file")
    target = staging / uuid.uuid4().hex[:12] / name
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    try:
        report = await run_in_threadpool(service.add, target)
    except (FileTooLarge, TextTooLong) as e:
        raise ApiError(413, f"未导入「{name}」：{e.cn}。知识库未作改动", "file_too_large", "file") from e
    except UnsupportedDocument as e:
        raise ApiError(415, f"未导入「{name}」：{reason_cn(e)}。知识库未作改动", "unsupported_document", "file") from e
    except DocumentError as e:
        raise ApiError(422, f"未导入「{name}」：{reason_cn(e)}。知识库未作改动", "unreadable_document", "file") from e
    except InvalidInput as e:
        raise ApiError(400, f"未导入「{name}」：{e}。知识库未作改动", "invalid_document", "file") from e
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)
    status, ids = next(((s, ids) for s, ids in (("added", report.added), ("updated", report.updated),
                                                ("unchanged", report.unchanged)) if ids), ("unchanged", []))
    doc = service.documents().get(ids[0], {}) if ids else {}
    return {"id": ids[0] if ids else None, "title": doc.get("title"), "source": name, "status": status,
            "summary": report.summary()}
