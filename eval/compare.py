"""Compare two runs: summary deltas, and per question (by id) what improved and what regressed.

    python -m eval compare runs/before runs/after
"""
from __future__ import annotations

import json
from pathlib import Path

from .report import ANSWER_ROWS, RETRIEVAL_ROWS, fmt
from .run import read_results
from .summary import declined


def load_run(directory: Path) -> tuple[dict, dict[str, dict]]:
    """summary.json and the per-question records of a run directory."""
    summary_path = Path(directory) / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{directory} has no summary.json: is it the --out of `python -m eval run`?")
    return json.loads(summary_path.read_text(encoding="utf-8")), read_results(Path(directory) / "results.jsonl")


def changes(a: dict, b: dict) -> list[tuple[str, int]]:
    """What differs between two records of one question, each with its sign (+1 better, -1 worse)."""
    out: list[tuple[str, int]] = []
    for key, label in (("recall@5", "recall@5"), ("must_coverage", "must")):
        x, y = a.get(key), b.get(key)
        if x is not None and y is not None and abs(x - y) > 1e-9:
            out.append((f"{label} {fmt(float(x))}→{fmt(float(y))}", 1 if y > x else -1))
    ra = declined(a) if a.get("answer") else None
    rb = declined(b) if b.get("answer") else None
    if ra is not None and rb is not None and ra != rb:
        good = rb != b["answerable"]  # declining the unanswerable, or answering the answerable
        out.append(("now declines" if rb else "no longer declines", 1 if good else -1))
    return out


def delta_rows(sa: dict, sb: dict) -> list[list[str]]:
    """metric | A | B | Δ for every summary number both runs have."""
    rows = []
    for part, spec in (("retrieval", RETRIEVAL_ROWS), ("answers", ANSWER_ROWS)):
        if part not in sa or part not in sb:
            continue
        for label, key in spec:
            x, y = sa[part].get(key), sb[part].get(key)
            d = "—" if x is None or y is None else f"{y - x:+.1f}" if key.endswith(("_p50", "_p95")) else f"{y - x:+.3f}"
            rows.append([label, fmt(x, key), fmt(y, key), d])
    return rows


def compare(dir_a: Path, dir_b: Path) -> str:
    """The comparison as Markdown."""
    sa, ra = load_run(dir_a)
    sb, rb = load_run(dir_b)
    lines = [f"# {dir_a} → {dir_b}", "", f"questions: {sa['n']} → {sb['n']}", "",
             "| metric | A | B | Δ |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in delta_rows(sa, sb)]
    groups: dict[str, list[str]] = {"Improved": [], "Regressed": [], "Mixed": []}
    for qid in (i for i in rb if i in ra):
        diff = changes(ra[qid], rb[qid])
        if not diff:
            continue
        signs = {s for _, s in diff}
        group = "Mixed" if len(signs) > 1 else "Improved" if 1 in signs else "Regressed"
        q = rb[qid]
        groups[group].append(f"| {qid} | {q['type'] or '—'} | {q['question']} | {'; '.join(t for t, _ in diff)} |")
    for name, rows in groups.items():
        lines += ["", f"## {name} ({len(rows)})", ""]
        if rows:
            lines += ["| id | type | question | change |", "|---|---|---|---|", *rows]
    only_a, only_b = sorted(set(ra) - set(rb)), sorted(set(rb) - set(ra))
    if only_a or only_b:
        lines += ["", f"only in A: {', '.join(only_a) or '—'}", f"only in B: {', '.join(only_b) or '—'}"]
    return "\n".join(lines) + "\n"
