"""Who may call what: reads need an API key when keys are set, writes the admin token; bodies must be JSON."""
from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.serving.api.errors import ApiError
from assistant.serving.api.state import Settings

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API 密钥或管理口令>")


def check_token(given: HTTPAuthorizationCredentials | None, accepted: tuple[str, ...], what: str) -> None:
    """401 without a bearer token, 403 with one that is not accepted."""
    if given is None or not given.credentials:
        raise ApiError(401, f"缺少{what}：请在请求头中加入 Authorization: Bearer <{what}>", "missing_token",
                       headers={"WWW-Authenticate": "Bearer"})
    if not any(hmac.compare_digest(given.credentials.encode(), t.encode()) for t in accepted):
        raise ApiError(403, f"{what}不正确", "invalid_token")


def read_access(config: Settings, given: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Reads are open unless API keys are set; then one of them, or the admin token, is needed."""
    if config.api_keys:
        check_token(given, config.api_keys + ((config.admin_token,) if config.admin_token else ()), "API 密钥")


def write_access(config: Settings, given: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Writes need the admin token, and are refused when none is set."""
    if not config.admin_token:
        raise ApiError(403, "服务未设置管理口令（--admin-token），HTTP 接口不能修改知识库", "writes_disabled")
    check_token(given, (config.admin_token,), "管理口令")


def json_body(request: Request) -> None:
    """415 unless the body is declared JSON (a missing Content-Type is taken as JSON)."""
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(415, f"请求体应为 JSON（Content-Type: application/json），收到 {kind}", "unsupported_media_type")


READS = [Depends(read_access)]
JSON_READS = [Depends(read_access), Depends(json_body)]
WRITES = [Depends(write_access)]
