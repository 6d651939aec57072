"""The browser app: 问答, 政策匹配, 政策浏览, 知识库 — one module per tab, put together in `app`. The only package
that imports gradio.

Everything the app says comes from the package (`Assistant.stream`, `Matcher`, `KnowledgeBase`); these modules
render it (with `serving.render`) and turn domain errors into Chinese messages. API endpoints for
`gradio_client` are in `endpoints`.
"""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before any tab imports gradio: the app runs offline

PRIVATE = dict(api_visibility="private")  # the tabs' events are the browser's, not part of the API
