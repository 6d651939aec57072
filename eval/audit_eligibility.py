"""How often a 满足 the check reads from a company's words is right where no gold case looks: every company of the
eligibility cases and the companies file against every measure of the library, other than the notice its own case is
about. Each condition the check calls 满足 from the description is looked up in
`eval/questions/xiongan-met-audit.jsonl` (labelled by reading the company's profile and words: 对, 错 or 不确定).
A 满足 not labelled there is counted apart: label it before reading the share.

    .venv/bin/python -m eval.audit_eligibility                 # this checkout
    .venv/bin/python -m eval.audit_eligibility --root /tmp/old  # an older checkout (git worktree add /tmp/old REV)
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

from eval import use_checkout

HERE = Path(__file__).resolve().parent
AUDIT = HERE / "questions" / "xiongan-met-audit.jsonl"
CASES = HERE / "questions" / "xiongan-eligibility.jsonl"
COMPANIES = HERE / "questions" / "xiongan-companies.jsonl"
LABELS = ("对", "错", "不确定")


def _key(company: str, doc: str, condition: str) -> tuple[str, str, str]:
    return company, doc, re.sub(r"\s+", "", condition)


def load_audit(path: Path = AUDIT) -> dict[tuple[str, str, str], dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {_key(r["company"], r["doc"], r["condition"]): r for r in rows}


def companies() -> list[tuple[str, dict, str, str]]:
    """(id, company, as_of, the notice its gold case is about or "") of every audited company."""
    out = []
    for path in (CASES, COMPANIES):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["id"], row["company"], row.get("as_of") or "", row.get("doc", "")))
    return out


def met_from_words(documents: dict) -> set[tuple[str, str, str]]:
    """(company, doc, condition) of each 满足 the check reads from a company's description (alone or beside its
    profile), outside its own case."""
    from assistant.matching.applicable import library_measures
    from assistant.matching.applicant import parse_applicant, parse_as_of
    from assistant.matching.eligibility import MET, check_measure

    every = library_measures(documents)
    out = set()
    for cid, company, as_of, own in companies():
        when = parse_as_of(as_of or None, date.today())
        applicant = parse_applicant(company, when)
        for doc, measures in every.items():
            if doc == own:
                continue
            for measure in measures:
                for r in check_measure(measure, applicant, when).conditions:
                    if r.status == MET and "描述：" in r.fact:
                        out.add(_key(cid, doc, r.condition.text))
    return out


def tally(said: set[tuple[str, str, str]], audit: dict[tuple[str, str, str], dict]) -> dict:
    counts = Counter(audit[k]["label"] if k in audit else "未标注" for k in said)
    labelled = sum(counts[label] for label in LABELS)
    return {"满足": len(said), **{label: counts[label] for label in (*LABELS, "未标注")},
            "对的比例": round(counts["对"] / labelled, 3) if labelled else None}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, help="the checkout whose code checks the companies (default: this one)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args()
    if args.root:
        use_checkout(args.root)
    from eval.bench_eligibility import library_documents

    audit = load_audit()
    said = met_from_words(library_documents())
    figures = tally(said, audit)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    for k in sorted(said):
        row = audit.get(k)
        if row is None or row["label"] != "对":
            print(f"{row['label'] if row else '未标注'}  {k[0]} {k[1][:3]}  {k[2][:60]}  {row['reason'] if row else ''}")
    print("描述读出的“满足”{满足} 条：对 {对}，错 {错}，不确定 {不确定}，未标注 {未标注}；对的比例 {对的比例}".format(**figures))


if __name__ == "__main__":
    main()
