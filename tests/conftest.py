from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED_NAME = "shanghai-online-new-economy-action-plan-2020-2022.txt"
SEED = ROOT / "corpus" / SEED_NAME


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: uses real models (still run in CI)")
    config.addinivalue_line("markers", "browser: drives a real headless Chromium")


@pytest.fixture(scope="session")
def seed_doc():
    from assistant.documents import load_document

    return load_document(SEED)


@pytest.fixture
def corpus_dir(tmp_path):
    """A writable copy of the real corpus folder."""
    d = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", d)
    return d
