"""Under CI a missing browser, model or library fails the run; locally it skips (conftest.require). CI is any
value of the CI variable but empty, 0, false and no; scripts/browser.sh stops `make test` when Chromium is missing
and cannot be installed."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT, is_ci

IN_A_TEST = """
from conftest import require

def test_needs_a_browser():
    require(False, "Debian's Chromium is missing")
"""

AT_IMPORT = """
from conftest import require

require(False, "the regulations library is missing")

def test_reads_the_library():
    pass
"""


@pytest.mark.parametrize("value, ci", [("true", True), ("True", True), ("1", True), ("yes", True), ("", False),
                                       ("0", False), ("false", False), ("FALSE", False), ("no", False)])
def test_which_values_of_ci_mean_ci(value, ci):
    assert is_ci(value) is ci


def run_probe(tmp_path, probe: str, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_probe_ci.py").write_text(probe, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
                           "-c", str(ROOT / "pytest.ini"), "--confcutdir", str(ROOT / "tests"),
                           str(tmp_path / "test_probe_ci.py")],
                          cwd=ROOT, env={**os.environ, "CI": ci, "PYTHONPATH": str(ROOT / "tests"),
                                        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # no other plugin: starts faster
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_browser_fails_under_ci(tmp_path, ci):
    run = run_probe(tmp_path, IN_A_TEST, ci)
    assert run.returncode == 1 and "1 failed" in run.stdout, run.stdout
    assert f"Failed: Debian's Chromium is missing (CI={ci}: missing is a failure)" in run.stdout


@pytest.mark.parametrize("ci", ["", "false"])
def test_missing_browser_skips_locally(tmp_path, ci):
    run = run_probe(tmp_path, IN_A_TEST, ci)
    assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout


def test_missing_library_fails_the_module_under_ci_and_skips_it_locally(tmp_path):
    run = run_probe(tmp_path, AT_IMPORT, "yes")
    assert run.returncode == 2 and "1 error" in run.stdout, run.stdout
    assert "Failed: the regulations library is missing (CI=yes: missing is a failure)" in run.stdout
    run = run_probe(tmp_path, AT_IMPORT, "0")
    assert run.returncode == 5 and "1 skipped" in run.stdout, run.stdout  # 5: no test left to run


def run_browser_script(tmp_path, chromium: str) -> subprocess.CompletedProcess:
    """scripts/browser.sh with Chromium looked for at `chromium`, where apt-get and sudo fail (no install here)."""
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    for tool in ("apt-get", "sudo"):
        (stubs / tool).write_text("#!/bin/sh\nexit 100\n", encoding="utf-8")
        (stubs / tool).chmod(0o755)
    env = {**os.environ, "CI": "true", "CHROMIUM_BIN": chromium, "PATH": f"{stubs}:{os.environ['PATH']}"}
    return subprocess.run(["bash", str(ROOT / "scripts" / "browser.sh")], env=env, capture_output=True, text=True,
                          timeout=60)


def test_browser_script_fails_loudly_when_chromium_is_missing_and_cannot_be_installed(tmp_path):
    run = run_browser_script(tmp_path, str(tmp_path / "no-chromium"))
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == ("error: Debian's chromium is not installed and could not be installed (not root, no "
                          "passwordless sudo).\n       run: sudo apt-get install chromium fonts-noto-cjk\n")


def test_browser_script_passes_when_chromium_is_there(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n", encoding="utf-8")
    chromium.chmod(0o755)
    run = run_browser_script(tmp_path, str(chromium))
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
