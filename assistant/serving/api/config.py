"""The API's settings: who may call what, CORS, upload size, and how answering requests wait for the model."""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from assistant.limits import MAX_FILE_MB


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
