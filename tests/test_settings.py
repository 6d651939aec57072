"""Settings precedence: flag > environment > config file > default."""
import pytest

from assistant.serving import settings
from assistant.serving.cli import parser


def test_file_then_environment(tmp_path):
    cfg = tmp_path / "policy-qa.toml"
    cfg.write_text('[llm]\nbackend = "openai"\nbase_url = "http://127.0.0.1:8000/v1"\n[kb]\nmax_chars = 300\n',
                   encoding="utf-8")
    assert settings.load(cfg, environ={}) == {"backend": "openai", "base_url": "http://127.0.0.1:8000/v1",
                                               "max_chars": 300}
    got = settings.load(cfg, environ={"POLICY_QA_BACKEND": "extractive", "POLICY_QA_API_KEY": "k"})
    assert got["backend"] == "extractive" and got["api_key"] == "k" and got["max_chars"] == 300


def test_unknown_key_is_an_error(tmp_path):
    cfg = tmp_path / "policy-qa.toml"
    cfg.write_text('backnd = "openai"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown setting\\(s\\) backnd"):
        settings.load(cfg, environ={})


def test_flags_override_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_QA_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POLICY_QA_BACKEND", "extractive")
    assert parser().parse_args(["ask", "问"]).backend == "extractive"
    assert parser().parse_args(["ask", "问", "--backend", "openai"]).backend == "openai"


def test_prompt_budget_and_quotes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_QA_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POLICY_QA_PROMPT_CHARS", "500")
    args = parser().parse_args(["ask", "问", "--quotes", "0"])
    assert int(args.prompt_chars) == 500 and args.quotes == 0
    assert parser().parse_args(["ask", "问"]).quotes == 2  # the default
