"""Settings from a TOML file and POLICY_QA_* environment variables, as defaults for the CLI and the app.

Precedence: command-line flag > environment variable > config file > built-in default. The file is
`policy-qa.toml` in the project root, or the path in POLICY_QA_CONFIG. Keys are the long option names
with '_' for '-', in any table, e.g.::

    [llm]
    backend = "openai"
    base_url = "http://127.0.0.1:8000/v1"
    model = "qwen2.5-7b-instruct"

    [kb]
    store = "milvus"                 # vectors in Milvus instead of FAISS files
    milvus_uri = "index/milvus.db"   # a file path is milvus-lite; http://host:19530 a server
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from assistant.config import ROOT

ENV_PREFIX = "POLICY_QA_"
KEYS = ("backend", "model", "base_url", "api_key", "llm_timeout", "threads", "embedder", "model_path",
        "query_prefix", "passage_prefix", "max_chars", "index_kind", "corpus", "index", "refusal_threshold",
        "prompt_chars", "quotes", "admin_token", "max_upload_mb", "api_keys", "cors_origins", "library", "store",
        "milvus_uri", "milvus_token")


def config_file() -> Path:
    return Path(os.environ.get(ENV_PREFIX + "CONFIG", ROOT / "policy-qa.toml"))


def load(path: Path | None = None, environ: dict | None = None) -> dict:
    """Defaults for argparse: the config file's keys, overridden by the environment."""
    path = path or config_file()
    env = os.environ if environ is None else environ
    values: dict = {}
    if path.exists():
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for key, value in data.items():
            if isinstance(value, dict):
                values.update(value)
            else:
                values[key] = value
        unknown = sorted(set(values) - set(KEYS))
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
    for key in KEYS:
        if ENV_PREFIX + key.upper() in env:
            values[key] = env[ENV_PREFIX + key.upper()]
    if "corpus" in values:
        values["corpus"] = Path(values["corpus"])
    if "index" in values:
        values["index"] = Path(values["index"])
    if "library" in values:  # a list in the file, os.pathsep-separated in the environment
        folders = values["library"].split(os.pathsep) if isinstance(values["library"], str) else values["library"]
        values["library"] = [Path(f) for f in folders if str(f).strip()]
    return values
