"""Batch evaluation: run a question set, compare two runs, and measure on public benchmarks.

    python -m eval run --questions eval/questions/seed.jsonl --backend extractive --out runs/extractive
    python -m eval run --questions eval/questions/seed.jsonl --retrieval-only --baselines --out runs/retrieval
    python -m eval compare runs/before runs/after
    python -m eval cmrc --limit 500            # CMRC2018 retrieval: ours vs BM25-only vs dense-only
    python -m eval cmrc --reader --limit 100   # CMRC2018 reader EM/F1 with the gold paragraph
    python -m eval rgb --limit 50 --mode paper # RGB zh noise robustness and rejection
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

from assistant.serving import settings
from assistant.serving.wiring import add_answer_args, build_assistant
from assistant.errors import AssistantError
from assistant.retrieval.retrieve import Retriever
from assistant.serving.wiring import add_kb_args, knowledge_base

from . import cmrc, rgb
from .baselines import baseline_systems
from .bench import md_table
from .compare import compare
from .questions import load_questions
from .report import overview_table, write_report
from .run import KS, assistant_system, prepare_out, hit_source, retrieval_system, run_system
from .summary import summarize

EXIT_ERROR, EXIT_INTERRUPTED = 1, 130
NOT_RUN_SETTINGS = {"command", "questions", "out", "fresh", "baselines"}  # may change between resumed runs


def common_args(p: argparse.ArgumentParser) -> None:
    """The app's knowledge-base and answering options, with the same defaults (policy-qa.toml, POLICY_QA_*)."""
    add_kb_args(p)
    add_answer_args(p)
    p.set_defaults(**{k: v for k, v in settings.load().items() if k not in ("admin_token", "max_upload_mb")})


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="评测一个问题集 / evaluate a question set")
    r.add_argument("--questions", type=Path, required=True, help="JSONL or CSV: id, question, evidence, must, …")
    r.add_argument("--out", type=Path, required=True, help="结果目录: results.jsonl, summary.json, report.html")
    r.add_argument("--retrieval-only", action="store_true", help="只评测检索, 不生成回答")
    r.add_argument("--k", type=int, default=max(KS), help="检索条数, 至少 5 (default: %(default)s)")
    r.add_argument("--fresh", action="store_true", help="忽略已有结果, 重新开始")
    r.add_argument("--baselines", action="store_true", help="同时评测 BM25-only、dense-only 与 naive LangChain")
    common_args(r)
    c = sub.add_parser("compare", help="比较两次评测 / compare two run directories")
    c.add_argument("dir_a", type=Path)
    c.add_argument("dir_b", type=Path)
    for name, module in (("cmrc", cmrc), ("rgb", rgb)):
        s = sub.add_parser(name, help=module.__doc__.splitlines()[0])
        module.configure(s)
        common_args(s)
    return p


def answer_settings() -> set[str]:
    """The names of the answering options (irrelevant to a retrieval-only run)."""
    p = argparse.ArgumentParser(add_help=False)
    add_answer_args(p)
    return {a.dest for a in p._actions}


def run_settings(args: argparse.Namespace) -> dict:
    """The settings a resumed run must share with the first (secrets left out)."""
    skip = NOT_RUN_SETTINGS | (answer_settings() if args.retrieval_only else set())
    plain = lambda v: str(v) if isinstance(v, Path) else [plain(x) for x in v] if isinstance(v, list) else v  # noqa: E731
    return {k: plain(v) for k, v in sorted(vars(args).items()) if k not in skip and "key" not in k and "token" not in k}


def cmd_run(args: argparse.Namespace) -> int:
    if args.k < max(KS):
        raise ValueError(f"--k must be at least {max(KS)} (recall@{max(KS)} is reported), got {args.k}")
    questions, problems = load_questions(args.questions)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not questions:
        raise ValueError(f"no usable questions in {args.questions}")
    prepare_out(args.out, run_settings(args), args.fresh)
    if args.retrieval_only:
        kb = knowledge_base(args)
        retriever, model = Retriever(kb.load_or_build(progress=True), kb.embedder), None
        ours = retrieval_system(lambda q, k: [hit_source(h) for h in retriever.search(q, k)], args.k)
        label = "retrieval only"
    else:
        assistant = build_assistant(args, progress=True)
        retriever, model = assistant.retriever, assistant.model
        ours = assistant_system(assistant, args.k)
        label = f"answers by {model.name if model else 'extractive'}"
    records = run_system(questions, ours, args.out / "results.jsonl", args.fresh, desc="ours")
    # the process's peak resident memory through our run (index, embedder, model, answers), before any baseline
    peak = {"peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "system": "ours"}
    (args.out / "resources.json").write_text(json.dumps(peak) + "\n", encoding="utf-8")
    baselines = {}
    if args.baselines:
        systems = baseline_systems(retriever, args.corpus, model, args.k, args.library)
        baselines = {name: run_system(questions, system, args.out / "baselines" / f"{name}.jsonl", args.fresh, name)
                     for name, system in systems.items()}
    summary = summarize(records, baselines)
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_report(args.out, f"{args.questions.name} · {label}", summary, records, baselines, args.k)
    _, header, rows = overview_table(summary)
    print(md_table(header, rows))
    print(f"\n{summary['n']} questions; peak memory (ours) {peak['peak_rss_mib']} MiB; report: {args.out / 'report.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "compare":
            print(compare(args.dir_a, args.dir_b), end="")
            return 0
        return (cmrc if args.command == "cmrc" else rgb).command(args)
    except KeyboardInterrupt:
        print("\n中断 / interrupted: rerun the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (AssistantError, ValueError, OSError, KeyError) as e:
        print(f"错误: {e}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
