"""The request bodies the API accepts, and the checks that turn them into questions, history and filters."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answering.followup import rewrite_followup
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.limits import MAX_QUESTION_CHARS, InvalidInput, check_question
from assistant.matching.cards import SIZES
from assistant.records import Answer
from assistant.retrieval.retrieve import Filters
from assistant.serving.api.errors import ApiError

MODEL_ID = "policy-qa"
MAX_K = 20
MAX_MESSAGES = 64
MAX_FIELD_CHARS = 100  # industry, size, district, department, section, document names
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


class StreamOptions(BaseModel):
    include_usage: bool = Field(False, description="流式时在 [DONE] 前多发一个 chunk：choices 为空，带 usage")


class ChatRequest(BaseModel):
    """OpenAI Chat Completions request; other OpenAI fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description=f"接受任何值；只有一个助手 “{MODEL_ID}”")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    stream_options: StreamOptions | None = None
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


# The upload is read by hand (size checked before parsing), so its body is described here, not by a model.
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": f"{'/'.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)} 文件"}}}}}}}


def checked_question(text: str, param: str) -> str:
    """The question as `limits.check_question` leaves it, or 400 naming `param`."""
    try:
        return check_question(text)
    except InvalidInput as e:
        raise ApiError(400, str(e), "invalid_question", param) from None


def history_of(questions: list[str]) -> list[Answer]:
    """Earlier questions as the answers `Assistant.stream` rewrites follow-ups with (each made standalone in turn);
    they hold no answer (`verified` ""): `service.stream` asks the one a follow-up refers to again, for its citations."""
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
    questions = [checked_question(text, f"messages.{i}.content") for i, text in asked]
    return questions[-1], history_of(questions[:-1])


def filters_of(f: SearchFilters, documents: dict) -> Filters:
    """The filters, with 400 for a document the knowledge base (`documents`, by id) does not hold."""
    known = set(documents) | {d["source"] for d in documents.values()}
    unknown = [d for d in f.docs if d not in known]
    if unknown:
        raise ApiError(400, f"未知文档：{'、'.join(unknown)}；可用的文档 ID：{'、'.join(sorted(documents))}", "unknown_document",
                       "filters.docs")
    if f.years and f.years[0] > f.years[1]:
        raise ApiError(400, f"年份范围起始年不能晚于结束年：{f.years[0]}-{f.years[1]}", "invalid_years", "filters.years")
    return Filters(tuple(f.docs), f.department, f.section, f.issuer, f.kind, f.region, tuple(f.status), f.years)
