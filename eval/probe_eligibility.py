"""The probes of what a description says loosely, planned or of another party (the cases of
`tests/test_eligibility.py::test_what_a_description_says_loosely…`), checked by the code of any checkout: how many
statuses differ from the probes', and how many of those are a wrong 满足.

    .venv/bin/python -m eval.probe_eligibility                 # this checkout
    .venv/bin/python -m eval.probe_eligibility --root /tmp/old  # an older checkout (git worktree add /tmp/old REV)
"""
from __future__ import annotations

import argparse
import ast
from datetime import date
from pathlib import Path

from eval import use_checkout

TESTS = Path(__file__).resolve().parent.parent / "tests" / "test_eligibility.py"
PROBES = "test_what_a_description_says_loosely"
STATUS = {"MET": "满足", "FAILED": "不满足", "UNKNOWN": "未知"}
AS_OF = date(2024, 6, 1)  # the probes' application date


def probes(tests: Path = TESTS) -> list[tuple[str, str, str]]:
    """(condition, description, status) of each probe, read from the test's parameters."""
    tree = ast.parse(tests.read_text(encoding="utf-8"))
    test = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith(PROBES))
    return [(e.elts[0].value, e.elts[1].value, STATUS[e.elts[2].id]) for e in test.decorator_list[0].args[1].elts]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, help="the checkout whose code checks the probes (default: this one)")
    args = p.parse_args()
    cases = probes()
    if args.root:
        use_checkout(args.root)
    from assistant.ingest.conditions import read_checks
    from assistant.ingest.measures import Condition
    from assistant.matching.applicant import parse_applicant
    from assistant.matching.eligibility import check_condition

    wrong = wrong_met = 0
    for text, description, status in cases:
        condition = Condition(0, len(text), text, read_checks(text, "河北雄安新区"))
        said = check_condition(condition, parse_applicant({"description": description}, AS_OF), AS_OF).status
        if said != status:
            wrong, wrong_met = wrong + 1, wrong_met + (said == "满足")
            print(f"{said}（应为{status}）  {text}  ←  {description}")
    print(f"{len(cases)} 个探针：{wrong} 个不对，其中 {wrong_met} 个错判“满足”")


if __name__ == "__main__":
    main()
