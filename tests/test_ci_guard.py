"""Under CI=true a missing browser or model fails the run; locally it skips (conftest.require)."""
import os
import subprocess
import sys

from conftest import ROOT

PROBE = """
from conftest import require

def test_needs_a_browser():
    require(False, "Debian's Chromium is missing")
"""


def run_probe(tmp_path, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_probe_ci.py").write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
                           "-c", str(ROOT / "pytest.ini") if (ROOT / "pytest.ini").exists() else os.devnull,
                           "--confcutdir", str(ROOT / "tests"), str(tmp_path / "test_probe_ci.py")],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT / "tests")}, capture_output=True, text=True,
                          timeout=120)


def test_missing_browser_fails_under_ci_and_skips_locally(tmp_path):
    ci = run_probe(tmp_path, "true")
    assert ci.returncode == 1 and "1 failed" in ci.stdout and "CI=true: missing is a failure" in ci.stdout
    local = run_probe(tmp_path, "")
    assert local.returncode == 0 and "1 skipped" in local.stdout


def test_browser_script_fails_loudly_when_it_cannot_install(tmp_path):
    script = (ROOT / "scripts" / "browser.sh").read_text(encoding="utf-8")
    assert "exit 1" in script and "could not be installed" in script
