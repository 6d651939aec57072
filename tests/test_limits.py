"""Bounded inputs: questions, file names and duplicate documents, in the library, the CLI and the app (fail closed)."""
import pytest
from fakes import BigramEmbedder

from assistant.limits import EMPTY_QUESTION, MAX_QUESTION_CHARS, InvalidInput, check_name, check_question
from assistant.serving import cli
from assistant.store.knowledge import KnowledgeBase


@pytest.mark.parametrize("text", ["", "   ", None, "？？？", "!!!…", "🙂🙂", "\x00\x07", "【】——"])
def test_empty_and_symbol_only_questions(text):
    with pytest.raises(InvalidInput, match=f"^{EMPTY_QUESTION}$"):
        check_question(text)


def test_question_length_limit_and_cleaning():
    assert MAX_QUESTION_CHARS == 500
    assert check_question(" 生鲜电商\x00有哪些支持措施？ ") == "生鲜电商 有哪些支持措施？"
    assert check_question("问" * 500) == "问" * 500
    with pytest.raises(InvalidInput, match=r"^问题过长（10000 字），请精简到 500 字以内$"):
        check_question("问" * 10_000)


@pytest.mark.parametrize("name, message", [
    ("../etc/passwd.txt", "文件名不能包含路径"), ("a\\b.txt", "文件名不能包含路径"), ("bad\nname.txt", "控制字符"),
    ("bad\u202ename.txt", "控制字符"), (".hidden.txt", "不能以“.”开头"), ("x" * 130 + ".txt", "文件名过长"),
])
def test_bad_names(name, message):
    with pytest.raises(InvalidInput, match=message):
        check_name(name)


def test_good_names_pass():
    for name in ("青浦区数字农业补贴.txt", "notice (2024).pdf", "a.b.docx"):
        assert check_name(name) == name


def test_add_refuses_a_second_file_with_the_same_id(corpus_dir, tmp_path):
    kb = KnowledgeBase(corpus_dir, tmp_path / "index", BigramEmbedder())
    kb.sync()
    twin = tmp_path / "shanghai-online-new-economy-action-plan-2020-2022.md"
    twin.write_text("# 另一个文件\n一、内容。\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="已有同名文档「shanghai-online-new-economy-action-plan-2020-2022.txt」"):
        kb.add(twin)
    assert not (corpus_dir / twin.name).exists()
    bad = tmp_path / "bad\x07name.txt"
    bad.write_text("标题\n内容。\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="控制字符"):
        kb.add(bad)


def test_cli_rejects_long_and_empty_questions_before_loading_anything(tmp_path, capsys):
    index = tmp_path / "index"
    assert cli.main(["ask", "问" * 10_000, "--backend", "extractive", "--index", str(index)]) == cli.EXIT_USAGE
    assert "跳过第 1 个问题：问题过长（10000 字），请精简到 500 字以内" in capsys.readouterr().err
    assert cli.main(["search", "？？", "--index", str(index)]) == cli.EXIT_USAGE
    assert "跳过第 1 个问题：请输入具体问题" in capsys.readouterr().err
    assert not index.exists()


def test_service_stream_checks_the_question():
    from assistant.serving.service import stream

    with pytest.raises(InvalidInput, match="问题过长"):
        next(stream(None, "问" * 501))


# ---------- the app fails closed ----------

def build(token: str):
    import argparse

    from assistant.answering.answer import Assistant
    from assistant.config import ROOT
    from assistant.retrieval.retrieve import Retriever
    from assistant.serving.service import Service
    from assistant.serving.web.app import build_app

    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp())
    kb = KnowledgeBase(ROOT / "corpus", tmp / "index", BigramEmbedder())
    index, _ = kb.sync()
    service = Service(kb, Assistant(Retriever(index, kb.embedder), None))
    options = argparse.Namespace(admin_token=token, max_upload_mb=20.0, feedback_log=tmp / "f.jsonl")
    demo = build_app(service, options)
    return {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_without_an_admin_token_upload_and_delete_are_disabled():
    parts = build("")
    assert parts["upload-run"].interactive is False and parts["remove-run"].interactive is False
    assert "--admin-token" in parts["kb-disabled"].value and "POLICY_QA_ADMIN_TOKEN" in parts["kb-disabled"].value
    assert "上传和删除已停用" in parts["kb-disabled"].value and "**" not in parts["kb-disabled"].value
    parts = build("s3cret")
    assert parts["upload-run"].interactive is True and "kb-disabled" not in parts
