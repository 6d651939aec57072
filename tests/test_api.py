"""The HTTP API as integrators get it: `python app.py` on a free 127.0.0.1 port, called with the official `openai`
client, LangChain `ChatOpenAI`, plain HTTP and schemathesis; the model queue in-process with a model that blocks.

Each server gets a copy of the corpus and a fresh index, and is stopped by its pid.
"""
import asyncio
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from conftest import ROOT, UPLOAD_TEXT, AppProcess, require

KEY = "read-key-7f3a"
TOKEN = "admin-token-2c9e"
ITEM7 = "二、聚焦发展重点 > 7、拓展生鲜电商零售业态"
ITEM10 = "二、聚焦发展重点 > 10、优化发展在线教育"
TITLE = "上海市促进在线新经济发展行动方案(2020-2022年)"
DOC_ID = "shanghai-online-new-economy-action-plan-2020-2022"
FRESH_QUOTE = ("支持企业提升生鲜产品周转数字化管理能力,发展制冷预冷、保温保鲜等技术,规模化布局冷链仓储设施,"
               "建立产品流动和可溯源性信息平台,推进生鲜、农产品标准化建设,进一步提升食品安全。")
EDU_ANSWER = "「10、优化发展在线教育」的责任部门为：市教委、市人力资源社会保障局、市经济信息化委[1]。"
EDU_QUOTE = "(责任部门:市教委、市人力资源社会保障局、市经济信息化委)"
OPERATIONS = ["/v1/models", "/v1/chat/completions", "/v1/answer", "/v1/search", "/v1/match", "/v1/eligibility", "/v1/documents",
              "/v1/documents", "/v1/documents/{doc_id}", "/healthz", "/readyz"]  # as /docs lists them: by tag


class Server(AppProcess):
    """The app for API tests: ready when /readyz says so."""

    def __init__(self, root: Path, *extra: str, timeout: float = 300):
        super().__init__(root, *extra, timeout=timeout, ready_path="readyz")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("api"), "--backend", "extractive", "--admin-token", TOKEN, "--api-keys",
               f"other-key,{KEY}", "--max-upload-mb", "1")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        yield client


def openai_client(server):
    from openai import OpenAI

    return OpenAI(base_url=server.url + "v1", api_key=KEY, max_retries=0, timeout=60)


# ---------- OpenAI-compatible chat ----------

def test_openai_client_answer_carries_references(server):
    done = openai_client(server).chat.completions.create(
        model="policy-qa", messages=[{"role": "user", "content": "生鲜电商有哪些支持措施？"}], temperature=0, max_tokens=200)
    message = done.choices[0].message
    assert done.object == "chat.completion" and done.choices[0].finish_reason == "stop"
    assert message.role == "assistant" and "[1]" in message.content
    first = message.references[0]
    assert (first["n"], first["title"], first["clause"]) == (1, TITLE, ITEM7)
    assert first["quote"] == FRESH_QUOTE and first["departments"][0] == "市商务委"
    assert first["quote_end"] - first["quote_start"] == len(FRESH_QUOTE)
    assert {"version", "status", "doc_number", "reference"} <= set(first)
    assert message.verification["status"] == "原文摘录" and message.verification["refused"] is False
    assert message.verification["outcome"] == "answered"
    notice = ("注意：本回答依据的《上海市促进在线新经济发展行动方案(2020-2022年)》已过期（实施期2020-2022年已结束），"
              "以下内容仅供参考，请以现行规定为准。")
    assert message.content == f"{notice}\n\n{message.verification['answer']}"  # the expired plan is named first


def test_openai_client_streams_text_then_references_last(server):
    chunks = list(openai_client(server).chat.completions.create(
        model="policy-qa", messages=[{"role": "user", "content": "在线教育由哪些部门负责？"}], stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == EDU_ANSWER
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop"
    assert [c for c in chunks[:-1] if getattr(c.choices[0].delta, "references", None)] == []
    ref = last.delta.references[0]
    assert (ref["n"], ref["title"], ref["clause"], ref["quote"]) == (1, TITLE, ITEM10, EDU_QUOTE)
    assert last.delta.verification == {**last.delta.verification, "status": "文件结构化信息", "refused": False,
                                       "answer": EDU_ANSWER}


EDU_QUESTION = "在线教育由哪些部门负责？"


def test_usage_is_integers_whole_and_in_the_last_streamed_chunk(server):
    """No model writes the extractive backend's answers: usage counts the question's and the answer's characters."""
    client, asked = openai_client(server), [{"role": "user", "content": EDU_QUESTION}]
    expected = {"prompt_tokens": 12, "completion_tokens": len(EDU_ANSWER), "total_tokens": 12 + len(EDU_ANSWER)}
    done = client.chat.completions.create(model="policy-qa", messages=asked)
    assert done.choices[0].message.content == EDU_ANSWER
    assert {k: type(v) for k, v in done.usage.model_dump(exclude_none=True).items()} == dict.fromkeys(expected, int)
    assert done.usage.model_dump(exclude_none=True) == expected
    chunks = list(client.chat.completions.create(model="policy-qa", messages=asked, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.model_dump(exclude_none=True) == expected
    assert chunks[-2].choices[0].finish_reason == "stop" and chunks[-2].choices[0].delta.references
    assert [c for c in chunks[:-1] if c.usage is not None] == []
    plain = list(client.chat.completions.create(model="policy-qa", messages=asked, stream=True))
    assert [c for c in plain if c.usage is not None or not c.choices] == []  # only when asked for, as OpenAI does


def test_usage_is_the_models_own_count_summed_over_its_calls(blocking_service):
    from openai import AsyncOpenAI

    from assistant.answering.answer import AnswerConfig, Assistant
    from assistant.serving.api import create_app
    from assistant.serving.service import Service
    from fakes import ScriptedChatModel

    shared = blocking_service[0]
    model = ScriptedChatModel("支持企业提升生鲜产品周转数字化管理能力[1]。", tokens=(57, 9))
    assistant = Assistant(shared.current.assistant.retriever, model, AnswerConfig(refusal_threshold=0.0))
    app = create_app(Service(shared.kb, assistant))

    async def usage(question: str, **options) -> list:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api/v1") as http:
            client = AsyncOpenAI(base_url="http://api/v1", api_key="none", http_client=http, max_retries=0)
            reply = await client.chat.completions.create(
                model="policy-qa", messages=[{"role": "user", "content": question}], **options)
            if options.get("stream"):
                return [c.usage.model_dump(exclude_none=True) async for c in reply if c.usage]
            return [reply.usage.model_dump(exclude_none=True)]

    once = {"prompt_tokens": 57, "completion_tokens": 9, "total_tokens": 66}
    assert asyncio.run(usage("生鲜电商有哪些支持措施？")) == [once]
    assert asyncio.run(usage("生鲜电商有哪些支持措施？", stream=True, stream_options={"include_usage": True})) == [once]
    calls = len(model.messages)
    twice = {"prompt_tokens": 114, "completion_tokens": 18, "total_tokens": 132}  # the translation, then the answer
    assert asyncio.run(usage("What support is there for fresh food e-commerce?")) == [twice]
    assert len(model.messages) == calls + 2


def test_follow_up_uses_the_earlier_user_turns(server):
    done = openai_client(server).chat.completions.create(model="policy-qa", messages=[
        {"role": "system", "content": "你是政策助手"},
        {"role": "user", "content": "生鲜电商有哪些支持措施？"},
        {"role": "assistant", "content": "支持企业提升生鲜产品周转数字化管理能力[1]。"},
        {"role": "user", "content": "那责任部门呢？"}])
    message = done.choices[0].message
    assert message.verification["standalone_question"] == "生鲜电商有哪些支持措施，责任部门呢？"
    assert message.content.startswith("「7、拓展生鲜电商零售业态」的责任部门为：市商务委")
    assert message.references[0]["clause"] == ITEM7


def test_a_pointing_follow_up_after_two_user_messages_gets_the_cited_items_departments(server, http):
    """Issue #23: "这些措施" are the clauses the fresh-food answer cited (item 7, then the coordination item 19),
    as in the web chat, though the API is sent the earlier question only: it is asked again for its citations."""
    expected = ("「7、拓展生鲜电商零售业态」的责任部门为：市商务委、市经济信息化委、市交通委、市市场监管局[1]。\n"
                "「19、加大统筹协调力度」的责任部门为：市经济信息化委、市发展改革委、市商务委[2]。")
    message = openai_client(server).chat.completions.create(model="policy-qa", messages=[
        {"role": "user", "content": "生鲜电商有哪些支持措施？"},
        {"role": "user", "content": "这些措施由哪些部门负责？"}]).choices[0].message
    assert message.content == expected
    assert [r["clause"] for r in message.references] == [ITEM7, "四、落实保障措施 > 19、加大统筹协调力度"]
    r = http.post("/v1/answer", json={"question": "这些措施由哪些部门负责？", "history": ["生鲜电商有哪些支持措施？"]})
    assert r.json()["answer"] == expected


def test_refusal_has_no_references_and_names_nearby_clauses(server):
    message = openai_client(server).chat.completions.create(
        model="policy-qa", messages=[{"role": "user", "content": "申请补贴的截止日期是哪一天？"}]).choices[0].message
    assert message.content.startswith("文件未涉及")
    assert message.references == []
    assert message.verification["refused"] is True and message.verification["status"] == "文件未涉及"
    assert message.verification["outcome"] == "refused"
    assert message.verification["suggestions"]


def test_langchain_chat_openai_invoke_and_stream(server):
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=server.url + "v1", api_key=KEY, model="policy-qa", max_retries=0, timeout=60)
    said = chat.invoke(EDU_QUESTION)
    assert said.content == EDU_ANSWER
    assert [said.usage_metadata[k] for k in ("input_tokens", "output_tokens", "total_tokens")] == [
        12, len(EDU_ANSWER), 12 + len(EDU_ANSWER)]
    assert "".join(part.content for part in chat.stream("在线教育由哪些部门负责？")) == EDU_ANSWER


def test_models_lists_the_assistant(server):
    models = openai_client(server).models.list()
    assert [m.id for m in models.data] == ["policy-qa"]


# ---------- search, answer, match ----------

def test_search_returns_the_cli_shape_and_filters(http):
    r = http.post("/v1/search", json={"question": "生鲜电商有哪些支持措施？", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "生鲜电商有哪些支持措施？" and len(body["hits"]) == 3
    assert (body["hits"][0]["path"], body["hits"][0]["title"]) == (ITEM7, TITLE)
    r = http.post("/v1/search", json={"question": "有哪些支持措施？", "k": 5, "filters": {"department": "市教委"}})
    assert r.status_code == 200 and r.json()["hits"]
    assert all(any("市教委" in d for d in h["departments"]) for h in r.json()["hits"])


def test_search_filters_by_kind_status_and_years_and_a_filter_matching_nothing_says_so(http):
    """The seed plan is a 方案 whose period (2020-2022年) is over: 已过期, never 现行有效."""
    def hits(**filters):
        r = http.post("/v1/search", json={"question": "生鲜电商有哪些支持措施？", "k": 3, "filters": filters})
        assert r.status_code == 200, r.text
        return [h["path"] for h in r.json()["hits"]]

    assert hits(kind="方案", status=["已过期"], years=[2020, 2022])[0] == ITEM7
    assert hits(kind="条例") == [] and hits(status=["现行有效"]) == [] and hits(years=[2023, 2026]) == []
    r = http.post("/v1/answer", json={"question": "生鲜电商有哪些支持措施？", "filters": {"kind": "条例"}})
    assert r.json()["refused"] and "筛选条件没有匹配任何文件" in r.json()["answer"] and r.json()["citations"] == []
    assert r.json()["outcome"] == "refused"
    r = http.post("/v1/search", json={"question": "生鲜", "filters": {"years": [2024, 2020]}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_years"
    r = http.post("/v1/search", json={"question": "生鲜", "filters": {"status": ["有效"]}})
    assert r.status_code == 400


def test_answer_is_the_full_record(http):
    r = http.post("/v1/answer", json={"question": "那责任部门呢？", "history": ["在线教育有哪些支持措施？"]})
    assert r.status_code == 200
    a = r.json()
    assert a["question"] == "那责任部门呢？" and a["standalone_question"] == "在线教育有哪些支持措施，责任部门呢？"
    assert a["answer"] == EDU_ANSWER and a["status"] == "文件结构化信息" and a["verified"] == "metadata"
    assert (a["citations"][0]["clause"], a["citations"][0]["quote"]) == (ITEM10, EDU_QUOTE)
    t = a["timings"]  # answered from the document's structure: no model, sources out when retrieval ended
    assert set(t) == {"retrieval_ms", "sources_ms", "first_token_ms", "total_ms"} and t["first_token_ms"] is None
    assert t["retrieval_ms"] == t["sources_ms"] <= t["total_ms"]


def test_match_ranks_the_fresh_food_measure(http):
    r = http.post("/v1/match", json={"description": "我们是一家生鲜电商企业，线上卖蔬菜水果，做冷链配送",
                                     "industry": "批发和零售业", "k": 5})
    assert r.status_code == 200
    matches = r.json()["matches"]
    assert len(matches) == 5
    top = matches[0]
    assert top["label"] == "7、拓展生鲜电商零售业态"
    assert top["lead"] == "市商务委"
    assert top["next_step"].startswith("向市商务委咨询「拓展生鲜电商零售业态」")


# ---------- bad input, access ----------

@pytest.mark.parametrize("path, body, status, code", [
    ("/v1/search", {"question": "   "}, 400, "invalid_question"),
    ("/v1/search", {"question": "问" * 501}, 400, "invalid_question"),
    ("/v1/search", {"question": "生鲜", "filters": {"year": "2020"}}, 400, "unknown_field"),
    ("/v1/search", {"question": "生鲜", "filters": {"docs": ["no-such-doc"]}}, 400, "unknown_document"),
    ("/v1/search", {"question": "生鲜", "k": 0}, 400, "invalid_value"),
    ("/v1/search", {}, 400, "missing_field"),
    ("/v1/answer", {"question": ""}, 400, "invalid_question"),
    ("/v1/answer", {"question": "生鲜", "filters": {"docs": ["no-such-doc"]}}, 400, "unknown_document"),
    ("/v1/match", {"description": "生鲜电商", "size": "巨型企业"}, 400, "invalid_value"),
    ("/v1/match", {"description": ""}, 400, "invalid_value"),
    ("/v1/eligibility", {"company": {"profile": {"revenue_last_year_wan": -5}}}, 400, "invalid_value"),
    ("/v1/eligibility", {"company": {"profile": {"founded": "2099-01"}}}, 400, "invalid_value"),
    ("/v1/eligibility", {"company": {}, "as_of": "2025年5月"}, 400, "invalid_value"),
    ("/v1/eligibility", {"company": {}, "doc": "no-such-doc"}, 400, "invalid_value"),
    ("/v1/chat/completions", {"messages": []}, 400, "invalid_value"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "生鲜"}, {"role": "assistant", "content": "好"}]},
     400, "invalid_messages"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "问" * 501}]}, 400, "invalid_question"),
])
def test_bad_requests_get_openai_shaped_errors(http, path, body, status, code):
    r = http.post(path, json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and error["type"] == "invalid_request_error" and error["message"]


def test_bad_json_and_wrong_content_type(http):
    r = http.post("/v1/search", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_json")
    r = http.post("/v1/search", data={"question": "生鲜"})
    assert (r.status_code, r.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert "application/x-www-form-urlencoded" in r.json()["error"]["message"]
    r = http.get("/v1/no-such-endpoint")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")


def test_read_endpoints_need_a_key_health_does_not(server):
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        r = anonymous.post("/v1/search", json={"question": "生鲜电商"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "missing_token")
        assert r.headers["WWW-Authenticate"] == "Bearer"
        r = anonymous.get("/v1/documents", headers={"Authorization": "Bearer wrong"})
        assert (r.status_code, r.json()["error"]["code"]) == (403, "invalid_token")
        assert anonymous.get("/v1/models", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        ready = anonymous.get("/readyz").json()
        assert ready == {"status": "ready", "documents": 1, "chunks": ready["chunks"], "backend": "extractive",
                         "model_loaded": True} and ready["chunks"] > 20


def test_cors_is_off_by_default(http):
    r = http.get("/v1/models", headers={"Origin": "https://portal.example.gov.cn"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = http.options("/v1/search", headers={"Origin": "https://portal.example.gov.cn",
                                            "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.browser
def test_the_api_docs_render_with_every_request_kept_on_this_machine(server):
    """A machine without internet: every request to another host is refused; /docs must still render."""
    from playwright.sync_api import expect, sync_playwright

    from test_app import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    require(Path(CHROMIUM).exists(), "Debian's Chromium is missing: run `bash scripts/browser.sh`")
    hosts: list[str] = []

    def only_here(route):
        host = urlsplit(route.request.url).hostname
        hosts.append(host)
        return route.continue_() if host == "127.0.0.1" else route.abort("internetdisconnected")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
        page.route("**/*", only_here)
        page.goto(server.url + "docs")
        operation = page.locator(".opblock-summary-path[data-path='/v1/chat/completions']")
        expect(operation).to_have_text("/v1/chat/completions", timeout=30_000)
        expect(page.locator(".opblock-summary-path")).to_have_text(OPERATIONS)
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"))
        browser.close()
    assert set(hosts) == {"127.0.0.1"} and len(hosts) >= 3  # the page, its script, the OpenAPI document


def test_the_web_app_and_docs_share_the_port(server, http):
    page = http.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    spec = http.get("/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/search", "/v1/answer", "/v1/match", "/v1/documents",
            "/v1/documents/{doc_id}", "/v1/models", "/healthz", "/readyz"} <= set(spec["paths"])
    assert http.get("/docs").status_code == 200
    from gradio_client import Client

    answer = Client(server.url, verbose=False).predict("生鲜电商有哪些支持措施？", api_name="/ask")
    assert answer["citations"][0]["clause"] == ITEM7


# ---------- documents ----------

def documents(http) -> list[str]:
    r = http.get("/v1/documents")
    assert r.status_code == 200
    return [d["id"] for d in r.json()["data"]]


@pytest.mark.parametrize("headers, files, status, code", [
    ({}, {"file": ("a.txt", UPLOAD_TEXT.encode())}, 401, "missing_token"),
    ({"Authorization": f"Bearer {KEY}"}, {"file": ("a.txt", UPLOAD_TEXT.encode())}, 403, "invalid_token"),
    ({"Authorization": f"Bearer {TOKEN}"}, {"file": ("x.xyz", b"data")}, 415, "unsupported_document"),
    ({"Authorization": f"Bearer {TOKEN}"}, {"file": ("big.txt", "政策".encode() * 300_000)}, 413, "file_too_large"),
    ({"Authorization": f"Bearer {TOKEN}"}, {"file": ("bad.pdf", (ROOT / "tests/fixtures/bad/corrupt.pdf").read_bytes())},
     422, "unreadable_document"),
    ({"Authorization": f"Bearer {TOKEN}"}, {"file": ("empty.txt", b"")}, 400, "empty_file"),
    ({"Authorization": f"Bearer {TOKEN}"}, {"other": ("a.txt", b"x")}, 400, "missing_field"),
])
def test_bad_upload_is_refused_and_nothing_is_lost(server, http, headers, files, status, code):
    before, corpus_before = documents(http), sorted(p.name for p in server.corpus.iterdir())
    r = httpx.post(server.url + "v1/documents", headers=headers, files=files, timeout=60)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert documents(http) == before == [DOC_ID]
    assert sorted(p.name for p in server.corpus.iterdir()) == corpus_before


def test_upload_non_multipart_is_415(server):
    r = httpx.post(server.url + "v1/documents", headers={"Authorization": f"Bearer {TOKEN}"}, json={"file": "x"})
    assert (r.status_code, r.json()["error"]["code"]) == (415, "unsupported_media_type")


def test_upload_search_delete(server, http):
    admin = {"Authorization": f"Bearer {TOKEN}"}
    r = httpx.post(server.url + "v1/documents", headers=admin, timeout=120,
                   files={"file": ("青浦数字农业.txt", UPLOAD_TEXT.encode())})
    assert r.status_code == 201, r.text
    added = r.json()
    assert (added["id"], added["title"], added["status"]) == ("青浦数字农业", "青浦区数字农业试点补贴办法", "added")
    assert documents(http) == [DOC_ID, "青浦数字农业"]
    hits = http.post("/v1/search", json={"question": "无人机植保有什么补贴？", "k": 2,
                                         "filters": {"docs": ["青浦数字农业"]}}).json()["hits"]
    assert hits[0]["path"] == "一、支持对象 > 1、无人机植保作业补贴" and hits[0]["departments"] == ["区农业农村委"]
    r = httpx.delete(server.url + "v1/documents/no-such-doc", headers=admin, timeout=60)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "document_not_found")
    r = httpx.delete(server.url + "v1/documents/青浦数字农业", headers=admin, timeout=120)
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert documents(http) == [DOC_ID]
    r = httpx.delete(server.url + f"v1/documents/{DOC_ID}", headers=admin, timeout=60)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "last_document")


# ---------- schemathesis ----------

def schemathesis(url: str, token: str, cwd: Path, *only: str) -> str:
    """`schemathesis run` against the spec with the `not_a_server_error` check, in `cwd` (it keeps a folder of
    examples there); its output, asserted to pass."""
    cmd = [str(Path(sys.executable).parent / "schemathesis"), "run", url + "openapi.json", "--checks",
           "not_a_server_error", "--max-examples", "15", "--generation-deterministic", "--request-timeout", "60",
           "--header", f"Authorization: Bearer {token}", *only]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=cwd, env={**os.environ, "NO_COLOR": "1"})
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run.stdout


def test_schemathesis_finds_no_server_errors(server, http, tmp_path):
    """Generated inputs, valid and invalid, for every operation: no 5xx. Reads with the API key (writes get 403),
    then the document operations again with the admin token."""
    out = schemathesis(server.url, KEY, tmp_path)
    assert re.search(r"Tested:\s+11\b", out) and re.search(r"\d+ generated, \d+ passed", out), out
    out = schemathesis(server.url, TOKEN, tmp_path, "--include-path-regex", "^/v1/documents")
    assert re.search(r"Tested:\s+3\b", out), out
    assert DOC_ID in documents(http)


# ---------- the model queue (in-process, a model that blocks) ----------

class BlockingModel:
    """A ChatModel whose first reply waits until released, so one generation holds the model."""

    name = "test/blocking"
    loaded = True

    def __init__(self):
        from assistant.answering.llm import ChatModel

        ChatModel.register(type(self))
        self.started, self.release = threading.Event(), threading.Event()

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None, usage=None):
        self.started.set()
        self.release.wait(timeout=30)
        yield "支持企业提升生鲜产品周转数字化管理能力[1]。"

    def complete(self, messages, **kw) -> str:
        return "".join(self.stream(messages, **kw))


@pytest.fixture(scope="module")
def blocking_service(tmp_path_factory):
    from assistant.answering.answer import AnswerConfig, Assistant
    from assistant.retrieval.retrieve import Retriever
    from assistant.serving.service import Service
    from assistant.store.knowledge import KnowledgeBase
    from fakes import BigramEmbedder

    root = tmp_path_factory.mktemp("queue")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    kb = KnowledgeBase(root / "corpus", root / "index", BigramEmbedder())
    index, _ = kb.sync()
    model = BlockingModel()
    return Service(kb, Assistant(Retriever(index, kb.embedder), model, AnswerConfig(refusal_threshold=0.0))), model


def test_a_busy_model_gives_503_with_retry_after_and_search_does_not_wait(blocking_service):
    from assistant.serving.api import ApiConfig, create_app

    service, model = blocking_service
    app = create_app(service, ApiConfig(queue_size=1, queue_timeout=1.0))
    ask = {"question": "生鲜电商有哪些支持措施？"}

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=30) as client:
            first = asyncio.create_task(client.post("/v1/answer", json=ask))
            await asyncio.to_thread(model.started.wait, 10)
            assert model.started.is_set(), "the first answer never reached the model"
            waiting = asyncio.create_task(client.post("/v1/answer", json=ask))
            await asyncio.sleep(0.2)
            full = await client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": ask["question"]}],
                                                                   "stream": True})
            t0 = time.monotonic()
            search = await client.post("/v1/search", json={**ask, "k": 2})
            search_s = time.monotonic() - t0
            timed_out = await waiting
            model.release.set()
            return await first, full, timed_out, search, search_s

    first, full, timed_out, search, search_s = asyncio.run(scenario())
    assert full.status_code == 503 and full.json()["error"]["code"] == "model_busy"
    assert int(full.headers["Retry-After"]) >= 1
    assert timed_out.status_code == 503 and "排队超过 1 秒" in timed_out.json()["error"]["message"]
    assert int(timed_out.headers["Retry-After"]) >= 1
    assert search.status_code == 200 and search.json()["hits"][0]["path"] == ITEM7 and search_s < 5
    assert first.status_code == 200, first.text
    assert first.json()["backend"] == "test/blocking" and first.json()["citations"][0]["clause"] == ITEM7


def test_readyz_is_not_ready_until_an_in_process_model_has_loaded(blocking_service, tmp_path):
    from assistant.answering.answer import Assistant
    from assistant.answering.llm import TransformersModel
    from assistant.serving.api import create_app
    from assistant.serving.service import Service

    shared = blocking_service[0]
    model = TransformersModel(str(tmp_path / "qwen"))  # loads on first use or warm-up, neither of which happens here
    app = create_app(Service(shared.kb, Assistant(shared.current.assistant.retriever, model)))

    async def readyz() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            return await client.get("/readyz")

    body = {"documents": 1, "chunks": 27, "backend": "transformers/qwen"}
    before = asyncio.run(readyz())
    assert (before.status_code, before.json()) == (503, {"status": "not_ready", **body, "model_loaded": False})
    model._loaded = (object(), object())  # the tokenizer and weights, as a successful `_load` leaves them
    after = asyncio.run(readyz())
    assert (after.status_code, after.json()) == (200, {"status": "ready", **body, "model_loaded": True})


# ---------- the real local model ----------

@pytest.mark.slow
def test_local_model_streams_tokens_then_references(tmp_path):
    server = Server(tmp_path, "--backend", "local", "--model", "qwen2.5-0.5b", timeout=600)
    try:
        chunks = list(openai_client(server).with_options(timeout=300).chat.completions.create(
            model="policy-qa", messages=[{"role": "user", "content": "生鲜电商有哪些支持措施？"}], stream=True))
        pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
        last = chunks[-1].choices[0]
        verification = last.delta.verification
        assert last.finish_reason == "stop" and verification["backend"].startswith("llama.cpp/")
        assert len(pieces) > 3, pieces  # written token by token, not all at once
        assert verification["status"] in {"依据充分", "部分内容未在原文中核实", "原文摘录"}
        refs = last.delta.references
        assert ITEM7 in [r["clause"] for r in refs] and all(r["title"] == TITLE for r in refs)
        for r in refs:  # every quote is the document's text at its offsets, and every [n] of the answer is a reference
            assert r["quote"] and r["quote"] in r["text"] and r["quote_end"] - r["quote_start"] == len(r["quote"])
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", verification["answer"])}
        assert cited and cited <= {r["n"] for r in refs}
    finally:
        server.stop()


def test_cors_origins_when_configured(blocking_service):
    from assistant.serving.api import ApiConfig, create_app

    app = create_app(blocking_service[0], ApiConfig(cors_origins=("https://portal.example.gov.cn",)))

    async def get(origin: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            return await client.get("/v1/models", headers={"Origin": origin})

    allowed, other = asyncio.run(get("https://portal.example.gov.cn")), asyncio.run(get("https://evil.example"))
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.gov.cn"
    assert "access-control-allow-origin" not in other.headers


def test_eligibility_says_what_is_wrong_in_chinese_and_answers_the_shared_shape(http):
    r = http.post("/v1/eligibility", json={"company": {"profile": {"revenue_last_year_wan": -5}}})
    assert r.json()["error"]["message"] == "上年度营业收入（万元）（revenue_last_year_wan）不能为负数，收到 -5"
    r = http.post("/v1/eligibility", json={"company": {"description": "在上海注册的电商企业"}, "as_of": "2021-03"})
    assert r.status_code == 200 and r.json() == {"as_of": "2021-03-01", "company": "", "measures": []}  # the plan has no 申报条件
