"""Errors in OpenAI's shape, ``{"error": {"message", "type", "code", "param"}}``, with Chinese messages."""
from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import ModelUnavailable
from assistant.limits import InvalidInput


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


def answer_error(e: Exception) -> ApiError:
    """What an answering request that failed answers (errors that are not the request's are raised again)."""
    if isinstance(e, InvalidInput):
        return ApiError(400, str(e), "invalid_question", "question")
    if isinstance(e, ModelUnavailable):
        return ApiError(503, f"大模型不可用：{e}", "model_unavailable", headers={"Retry-After": "30"})
    if isinstance(e, ValueError):
        return ApiError(400, str(e), "invalid_value")
    raise e


def internal_error(exc: BaseException) -> ApiError:
    """A crash as a 500 that names it."""
    return ApiError(500, f"服务器内部错误：{type(exc).__name__}: {exc}", "internal_error")


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
        return internal_error(exc).response()


router = APIRouter()


@router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def unknown(rest: str, request: Request) -> None:
    """Unknown /v1 paths answer in the API's shape (the gradio app mounted at / would answer the rest)."""
    raise ApiError(404, f"接口不存在：{request.method} /v1/{rest}", "not_found")
