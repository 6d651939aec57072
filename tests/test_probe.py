"""scripts/rejection_probe.py: the topic-word coverage behind the lexical-probe table of docs/benchmarks.md."""
import importlib.util
import subprocess
import sys

import pytest
from conftest import ROOT

from assistant.ingest.chunking import passage_chunks

spec = importlib.util.spec_from_file_location("rejection_probe", ROOT / "scripts" / "rejection_probe.py")
probe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(probe)


def test_topic_words_leave_out_what_is_asked():
    assert [w for w, _ in probe.topic_words("漫长的季节的导演是谁？")] == ["漫长", "季节", "导演"]
    assert [w for w, _ in probe.topic_words("2022年法网开始时间")] == ["2022", "法网", "开始"]


def test_found_accepts_most_bigrams_of_long_words_only():
    assert probe.found("gdp增长率", "2022年重庆gdp增长2.6%")  # 2 of 3 bigrams
    assert not probe.found("导演", "《漫长的季节》的主演")
    assert not probe.found("世锦赛", "世乒赛在成都举行")  # 1 of 2 bigrams


def test_best_coverage_is_the_idf_weighted_share_in_one_neighbourhood():
    question = "电影《四海》的导演是谁"
    assert probe.best_coverage(question, passage_chunks(["电影《四海》的导演是韩寒。"])) == 1.0
    idf = dict(probe.topic_words(question))
    without_director = (idf["电影"] + idf["四海"]) / sum(idf.values())
    assert probe.best_coverage(question, passage_chunks(["电影《四海》由韩寒执导。主演刘昊然和刘浩存。"])) == pytest.approx(
        without_director)


def test_help_runs():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "rejection_probe.py"), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--judge" in done.stdout
