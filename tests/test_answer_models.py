"""Answers from real models: the local default (1.5B, llama.cpp) and a real OpenAI-compatible server."""
import json
import subprocess
import sys

import pytest

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.answering.llm import LLMConfig, OpenAICompatModel, make_chat_model
from assistant.records import EXTRACTIVE, PARTIAL, VERIFIED
from assistant.patterns import CITATION
from conftest import ROOT
from eval import metrics

pytestmark = pytest.mark.slow


def numbers_traceable(answer) -> bool:
    """Every number of the answer is a whole number of its cited clauses (the metric answers are scored by)."""
    return metrics.numbers_traceable(answer.text, [c.chunk.text for c in answer.citations])


def test_local_default_model_answers_with_traceable_citations(retriever):
    model = make_chat_model(LLMConfig())
    assert model.name.endswith("qwen2.5-1.5b") or "1.5b" in model.name.lower()
    a = Assistant(retriever, model).ask("生鲜电商有哪些支持措施？")
    # the model produced the text: its backend and a generated status, not an extractive fallback
    assert a.backend == model.name and not a.refused and a.verified in (VERIFIED, PARTIAL), (a.verified, a.notes)
    assert "二、聚焦发展重点 > 7、拓展生鲜电商零售业态" in [c.chunk.path_str for c in a.citations]
    assert numbers_traceable(a) and CITATION.search(a.text)
    t = a.timings  # the model streamed: sources, then its first token, then the verified answer
    assert t["retrieval_ms"] <= t["sources_ms"] <= t["first_token_ms"] <= t["total_ms"]


def test_openai_backend_against_real_server(retriever, llama_server):
    model = OpenAICompatModel(llama_server, model="qwen2.5-0.5b", timeout=120)
    a = Assistant(retriever, model, AnswerConfig()).ask("无人配送和智能快递柜有哪些措施？")
    assert a.backend == model.name and a.verified in (VERIFIED, PARTIAL) and not a.refused, (a.verified, a.notes)
    assert a.citations[0].chunk.item == "8" and numbers_traceable(a)


def test_server_down_keeps_answering(retriever):
    from conftest import free_port

    model = OpenAICompatModel(f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    a = Assistant(retriever, model).ask("无人配送和智能快递柜有哪些措施？")
    assert a.verified == EXTRACTIVE and a.notes[0].startswith("模型不可用")


def test_cli_ask_json(tmp_path):
    qfile = tmp_path / "q.txt"
    qfile.write_text("这份文件的文号是什么？\n企业最高能获得多少万元补贴？\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "assistant", "ask", "--queries", str(qfile), "--json",
                        "--backend", "extractive", "--index", str(tmp_path / "index")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    first, second = (json.loads(line) for line in r.stdout.strip().splitlines())
    assert first["answer"] == "《上海市促进在线新经济发展行动方案(2020-2022年)》的文号为沪府办发〔2020〕1号[1]。"
    assert first["refused"] is False and first["citations"][0]["n"] == 1
    assert first["citations"][0]["source"] == "shanghai-online-new-economy-action-plan-2020-2022.txt"
    # the seed names support (奖励、资助、贷款贴息) but no amount: the related clauses, not an answer
    assert (second["outcome"], second["refused"], second["verified"]) == ("not_stated", False, "not_stated")
    assert second["answer"].startswith("文件没有直接写明问题所问的内容（相关条款中没有写明问题所问的金额）")
    t = second["timings"]  # decided before any model: the related sources went out once they were quoted
    assert set(t) == {"retrieval_ms", "sources_ms", "first_token_ms", "total_ms"} and t["first_token_ms"] is None
    assert t["retrieval_ms"] <= t["sources_ms"] <= t["total_ms"]
