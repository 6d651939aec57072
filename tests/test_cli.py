"""The CLI as scripts use it: real subprocesses, the real default embedder."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def kb_dirs(tmp_path_factory):
    import shutil

    base = tmp_path_factory.mktemp("cli")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    r = run("index", str(base / "corpus"), "--index", str(base / "index"))
    assert r.returncode == 0, r.stderr
    assert "新增 1" in r.stdout
    return ["--corpus", str(base / "corpus"), "--index", str(base / "index")], base


def test_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("index", "add", "remove", "list", "search"):
        assert cmd in r.stdout
    assert "--json" in run("search", "--help").stdout


@pytest.mark.slow
def test_search_json_one_object_per_question(kb_dirs, tmp_path):
    opts, _ = kb_dirs
    qfile = tmp_path / "q.txt"
    qfile.write_text("生鲜电商有哪些支持措施？\n\n市教委负责哪些事项？\n", encoding="utf-8")
    r = run("search", "--queries", str(qfile), "-k", "3", "--json", *opts)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["query"] == "生鲜电商有哪些支持措施？" and len(first["hits"]) == 3
    hit = first["hits"][0]
    assert hit["path"] == "二、聚焦发展重点 > 7、拓展生鲜电商零售业态"
    assert hit["departments"] == ["市商务委", "市经济信息化委", "市交通委", "市市场监管局"]
    assert hit["source"] == "shanghai-online-new-economy-action-plan-2020-2022.txt"
    assert hit["text"].startswith("7、拓展生鲜电商零售业态。") and isinstance(hit["score"], float)
    assert [h["path"].split(" > ")[-1][:3] for h in second["hits"][:2]] == ["10、", "20、"]


@pytest.mark.slow
def test_list_add_remove_and_bad_file(kb_dirs, tmp_path):
    opts, base = kb_dirs
    assert "沪府办发〔2020〕1号" in run("list", *opts).stdout
    new = tmp_path / "district.txt"
    new.write_text("某区促进直播电商发展措施\n1、对直播基地给予最高200万元支持。(责任部门:区商务委)\n", encoding="utf-8")
    r = run("add", str(new), *opts)
    assert r.returncode == 0 and "新增 1" in r.stdout, r.stderr
    hits = json.loads(run("search", "直播基地支持多少钱", "-k", "1", "--json", *opts).stdout)["hits"]
    assert hits[0]["source"] == "district.txt" and hits[0]["departments"] == ["区商务委"]
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    r = run("add", str(bad), *opts)
    assert r.returncode == 1 and "broken.pdf" in r.stderr and r.stderr.startswith("错误:")
    assert "district" in run("list", *opts).stdout  # nothing indexed was lost
    r = run("remove", "district", *opts)
    assert r.returncode == 0 and "删除 1" in r.stdout
    assert "district" not in run("list", *opts).stdout
    assert not (base / "corpus" / "district.txt").exists()


def test_search_without_question_is_a_usage_error(tmp_path):
    r = run("search", "--index", str(tmp_path / "i"), "--corpus", str(tmp_path))
    assert r.returncode == 2 and "请给出问题" in r.stderr
