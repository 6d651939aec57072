"""Evaluation of the assistant: question sets, metrics, reports, public benchmarks."""
from __future__ import annotations

import sys
from pathlib import Path


def use_checkout(root: Path) -> None:
    """Make later imports of `assistant` come from another checkout (a `git worktree` of an older commit), so that a
    script measures that commit's code on today's data; `assistant` must not be used before, or is imported anew."""
    sys.path.insert(0, str(root.resolve()))
    for name in [m for m in sys.modules if m == "assistant" or m.startswith("assistant.")]:
        del sys.modules[name]
