"""What every route shares — the Service, the settings, the answer starter, the upload folder — kept on
`app.state` by `create_app` and handed to routes as FastAPI dependencies."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from assistant.serving.api.config import ApiConfig
from assistant.serving.api.model_queue import Answers
from assistant.serving.service import Service


def get_service(request: Request) -> Service:
    return request.app.state.service


def get_config(request: Request) -> ApiConfig:
    return request.app.state.config


def get_answers(request: Request) -> Answers:
    return request.app.state.answers


def get_staging(request: Request) -> Path:
    """The folder uploads are written to before they are indexed."""
    return request.app.state.staging


CurrentService = Annotated[Service, Depends(get_service)]
Settings = Annotated[ApiConfig, Depends(get_config)]
Answering = Annotated[Answers, Depends(get_answers)]
Staging = Annotated[Path, Depends(get_staging)]
