"""The run report: summary tables (all systems side by side), a breakdown by question type, plots, the worst questions.

Written as DIR/report.md and a self-contained DIR/report.html (plots embedded as base64 PNG, also saved in DIR).
"""
from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .bench import md_table  # noqa: E402
from .metrics import mean, recall_from_ranks  # noqa: E402
from .summary import LATENCIES, by_type, declined  # noqa: E402

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC")
WORST = 10
Table = tuple[str, list[str], list[list[str]]]  # title, header, rows (cells already formatted)

RETRIEVAL_ROWS = [("recall@1", "recall@1"), ("recall@3", "recall@3"), ("recall@5", "recall@5"), ("MRR", "mrr"),
                  ("retrieval p50 ms", "latency_ms_p50"), ("retrieval p95 ms", "latency_ms_p95")]
ANSWER_ROWS = [("must-phrase coverage", "must_coverage"), ("char-F1", "char_f1"), ("ROUGE-L", "rouge_l"),
               ("refusal rate (unanswerable)", "refusal_rate_unanswerable"),
               ("false refusals (answerable)", "false_refusal_rate"),
               ("declined: refused or not stated (unanswerable)", "declined_unanswerable"),
               ("declined: refused or not stated (answerable)", "declined_answerable"),
               ("citation precision", "citation_precision"),
               ("numbers traceable", "numbers_traceable"),
               ("states a superseded rule (version questions)", "outdated_rate")] + [
    (f"{k.removesuffix('_ms').replace('_', ' ')} {p} ms", f"{k}_{p}") for k in LATENCIES for p in ("p50", "p95")]


def cjk_font() -> str | None:
    """The first installed CJK font of CJK_FONTS, or None (plots then keep ASCII labels)."""
    for name in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        except ValueError:
            continue
        return name
    return None


def fmt(x: object, key: str = "") -> str:
    """A table cell: 3 decimals for shares, 1 for milliseconds (keys ending _p50/_p95), — for missing."""
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.1f}" if key.endswith(("_p50", "_p95")) else f"{x:.3f}"
    return str(x)


def overview_table(summary: dict) -> Table:
    """Metric rows, one column per system (ours first)."""
    systems = {"ours": summary, **summary.get("baselines", {})}
    rows = [[label] + [fmt(s["retrieval"][key], key) for s in systems.values()] for label, key in RETRIEVAL_ROWS]
    if "answers" in summary:
        rows += [[label] + [fmt(s["answers"][key], key) if "answers" in s else "—" for s in systems.values()]
                 for label, key in ANSWER_ROWS]
    return "Summary", ["metric", *systems], rows


def type_tables(summary: dict, baselines: dict[str, Sequence[dict]]) -> list[Table]:
    """Ours by question type; with baselines, recall@5 by type for every system."""
    types = summary["by_type"]
    answered = "answers" in summary
    header = ["type", "n", "recall@5", "MRR"] + (["must coverage", "char-F1", "refused"] if answered else [])
    rows = [[t, str(r["n"]), fmt(r["recall@5"]), fmt(r["mrr"])]
            + ([fmt(r["must_coverage"]), fmt(r["char_f1"]), fmt(r["refused"])] if answered else [])
            for t, r in types.items()]
    tables: list[Table] = [("By question type (ours)", header, rows)]
    if baselines:
        per = {name: by_type(rs) for name, rs in baselines.items()}
        rows = [[t, str(types[t]["n"]), fmt(types[t]["recall@5"])] + [fmt(per[n][t]["recall@5"]) for n in per]
                for t in types]
        tables.append(("recall@5 by type, all systems", ["type", "n", "ours", *per], rows))
    return tables


def badness(r: dict) -> float:
    """Lower is worse: recall@5 plus must-coverage, minus one for a wrong decision to decline (refused or not
    stated)."""
    recall, coverage = r["recall@5"], r.get("must_coverage")
    score = (1.0 if recall is None else recall) + (1.0 if coverage is None else coverage)
    if r["answer"] is not None and declined(r) == r["answerable"]:
        score -= 1.0
    return score


def worst(records: Sequence[dict], n: int = WORST) -> list[dict]:
    """The n questions that did worst (something missed), worst first."""
    return sorted((r for r in records if badness(r) < 2.0), key=badness)[:n]


def plot_recall_curve(systems: dict[str, Sequence[dict]], k: int, path: Path, cjk: str | None) -> None:
    """Evidence recall@1..k, one line per system."""
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ks = list(range(1, k + 1))
    for name, records in systems.items():
        ranks = [r["span_ranks"] for r in records if r["span_ranks"]]
        ax.plot(ks, [mean([recall_from_ranks(rk, i) for rk in ranks]) for i in ks], marker="o", label=name)
    ax.set_xlabel("检索条数 k" if cjk else "k (chunks retrieved)")
    ax.set_ylabel("证据召回率 recall@k" if cjk else "evidence recall@k")
    ax.set_xticks(ks)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_latency(records: Sequence[dict], path: Path, cjk: str | None) -> None:
    """Histogram of our latencies: sources, first token and total when answered, else retrieval."""
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    answered = [r["answer"]["timings"] for r in records if r["answer"] is not None]
    series = {key: [t[key] for t in answered if t.get(key) is not None] for key in LATENCIES} if answered else {
        "retrieval_ms": [r["retrieval_ms"] for r in records]}
    for key, values in series.items():
        if values:
            ax.hist(values, bins=20, alpha=0.6, label=key.removesuffix("_ms").replace("_", " "))
    ax.set_xlabel("耗时 (ms)" if cjk else "latency (ms)")
    ax.set_ylabel("问题数" if cjk else "questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _md_table(t: Table) -> str:
    title, header, rows = t
    cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    return f"### {title}\n\n" + md_table(header, [[cell(c) for c in row] for row in rows])


def _html_table(t: Table) -> str:
    title, header, rows = t
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h3>{html.escape(title)}</h3>\n<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _worst_items(r: dict) -> tuple[str, list[str], list[str]]:
    """Heading, facts and retrieved-source lines of one bad question (plain text, escaped by the caller)."""
    a = r["answer"]
    facts = [f"type {r['type'] or '—'} · answerable {r['answerable']} · recall@5 {fmt(r['recall@5'])}"
             + (f" · must coverage {fmt(r.get('must_coverage'))} · refused {a['refused']}" if a else "")]
    if a:
        facts.append("answer: " + a["text"][:300].replace("\n", " "))
    found = {rank for rank in r["span_ranks"] if rank}
    sources = [f"[{i}]{' ✓' if i in found else ''} {s['path'] or s['source']}: {s['text'][:120].replace(chr(10), ' ')}"
               for i, s in enumerate(r["retrieved"], start=1)]
    return f"{r['id']} — {r['question']}", facts, sources


def write_report(out: Path, title: str, summary: dict, records: Sequence[dict],
                 baselines: dict[str, Sequence[dict]], k: int) -> None:
    """Write report.md, report.html and the plot PNGs into `out`."""
    cjk = cjk_font()
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    images = {"recall_at_k.png": "Evidence recall@k", "latency.png": "Latency"}
    plot_recall_curve({"ours": records, **baselines}, k, out / "recall_at_k.png", cjk)
    plot_latency(records, out / "latency.png", cjk)
    tables = [overview_table(summary), *type_tables(summary, baselines)]
    bad = [_worst_items(r) for r in worst(records)]
    intro = f"{summary['n']} questions · {title}"

    md = ["# Evaluation report", "", intro, ""] + [_md_table(t) + "\n" for t in tables]
    md += [f"![{alt}]({name})\n" for name, alt in images.items()]
    md += ["## Worst questions", ""] if bad else []
    for head, facts, sources in bad:
        md += [f"**{head}**", ""] + [f"- {f}" for f in facts] + ["- retrieved:"] + [f"  - {s}" for s in sources] + [""]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")

    parts = [f"<h1>Evaluation report</h1><p>{html.escape(intro)}</p>"] + [_html_table(t) for t in tables]
    for name, alt in images.items():
        data = base64.b64encode((out / name).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{html.escape(alt)}</figcaption></figure>")
    if bad:
        parts.append("<h2>Worst questions</h2>")
    for head, facts, sources in bad:
        parts.append(f"<h4>{html.escape(head)}</h4><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts)
                     + "<li>retrieved:<ol>" + "".join(f"<li>{html.escape(s.split(' ', 1)[1])}</li>" for s in sources)
                     + "</ol></li></ul>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}img{max-width:100%}")
    page = (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>Evaluation report</title>'
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
    (out / "report.html").write_text(page, encoding="utf-8")
