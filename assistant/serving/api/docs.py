"""The API's documentation page, Swagger UI at /docs, with its script and style served from an installed package
instead of a CDN: machines without internet (ours, many government networks) get the page.

`fastapi-offline` ships the swagger-ui dist files; only its files are used, the page is FastAPI's own
(`get_swagger_ui_html`) pointed at them. There is no /redoc: ReDoc's bundle loads its logo from cdn.redoc.ly
whatever its options. Nothing here enters the OpenAPI document.
"""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"  # swagger-ui-bundle.js, swagger-ui.css, favicon.png
STATIC_PATH = "/docs-static"
# Swagger UI would otherwise send the spec's URL to validator.swagger.io for its validity badge.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def install_docs(app: FastAPI) -> None:
    """Serve /docs and its OAuth2 redirect from local assets; build the app with docs_url=None, redoc_url=None."""
    app.mount(STATIC_PATH, StaticFiles(directory=ASSETS), name="docs-static")
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=root + app.openapi_url, title=f"{app.title} - Swagger UI",
                                   swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
                                   oauth2_redirect_url=root + redirect,
                                   swagger_ui_parameters={**SWAGGER_PARAMETERS, **(app.swagger_ui_parameters or {})})

    @app.get(redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
