"""Command line: index, add, remove, list, search, ask, check. Errors become messages and exit codes here only."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.serving import settings
from assistant.config import RetrievalConfig
from assistant.errors import AssistantError
from assistant.patterns import document_name
from assistant.limits import InvalidInput, check_question
from assistant.serving.eligibility import check_request
from assistant.store.knowledge import KnowledgeBase
from assistant.retrieval.retrieve import Retriever
from assistant.serving.wiring import (add_answer_args, add_filter_args, add_kb_args, build_assistant, filters_from,
                                      knowledge_base)

EXIT_USAGE, EXIT_ERROR = 2, 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="政策问答助手: 建索引、检索、问答。")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("index", help="为文档目录建立或增量更新索引")
    c.add_argument("corpus_dir", nargs="?", type=Path, help="文档目录 (default: --corpus)")
    c.add_argument("--shard", default="", metavar="I/N",
                   help="只向量化第 I 份 (共 N 份) 到 索引目录/.staging, 不建索引; 各机器的 .staging 合并后再运行 index")
    c = sub.add_parser("add", help="添加一个文件到知识库并索引")
    c.add_argument("file", type=Path)
    c = sub.add_parser("remove", help="从知识库删除一个文档 (文档 ID 或文件名)")
    c.add_argument("doc")
    sub.add_parser("list", help="列出已索引的文档")
    c = sub.add_parser("search", help="检索相关条款")
    c.add_argument("query", nargs="?", help="问题")
    c.add_argument("--queries", type=Path, help="问题文件, 每行一个")
    c.add_argument("-k", type=int, default=RetrievalConfig.k, help="返回条数 (default: %(default)s)")
    c.add_argument("--json", action="store_true", help="每个问题输出一行 JSON")
    add_filter_args(c)
    c = sub.add_parser("check", help="逐条核对企业是否符合各项扶持措施的申报条件",
                       description="每行输入一个 JSON：{\"company\": {\"name\", \"description\", \"profile\": {…}}, "
                                   "\"doc\": 可选文档, \"as_of\": 可选 \"YYYY-MM\", \"k\": 可选}；每行输出一个结果。")
    c.add_argument("--companies", type=Path, required=True, help="企业文件 (JSONL, 每行一个请求)")
    c.add_argument("--json", action="store_true", help="每个请求输出一行 JSON (默认输出可读文本)")
    c = sub.add_parser("ask", help="提问并得到带引用、经核验的回答")
    c.add_argument("question", nargs="?", help="问题")
    c.add_argument("--queries", type=Path, help="问题文件, 每行一个")
    c.add_argument("--json", action="store_true", help="每个问题输出一行 JSON")
    c.add_argument("--stream", action="store_true", help="边生成边输出")
    add_filter_args(c)
    add_answer_args(c)
    defaults = settings.load()
    for name, s in sub.choices.items():
        add_kb_args(s)
        s.set_defaults(**{k: v for k, v in defaults.items() if k not in ("admin_token", "max_upload_mb")})
    return p


def read_queries(path: Path) -> list[str]:
    return [q.strip() for q in path.read_text(encoding="utf-8-sig").splitlines() if q.strip()]


def checked(questions: list[str]) -> tuple[list[str], int]:
    """The questions that pass limits.check_question, and how many did not (each reported on stderr)."""
    good, bad = [], 0
    for n, q in enumerate(questions, 1):
        try:
            good.append(check_question(q))
        except InvalidInput as e:
            print(f"跳过第 {n} 个问题：{e}", file=sys.stderr)
            bad += 1
    return good, bad


def given_questions(question: str | None, path: Path | None) -> tuple[list[str], int]:
    """The question, or the questions of the file, that pass the checks, and how many did not; none given is
    reported on stderr."""
    if not question and not path:
        print("错误: 请给出问题, 或用 --queries FILE", file=sys.stderr)
        return [], 0
    return checked([question] if question else read_queries(path))


def cmd_search(args, kb: KnowledgeBase) -> int:
    queries, bad = given_questions(args.query, args.queries)
    if not queries:
        return EXIT_USAGE
    retriever = Retriever(kb.load_or_build(progress=True), kb.embedder)
    filters = filters_from(args)
    if not retriever.matches_any(filters):
        print("筛选条件没有匹配任何文件，没有检索结果。", file=sys.stderr)
    for q in queries:
        hits = retriever.search(q, args.k, filters)
        if args.json:
            print(json.dumps({"query": q, "hits": [h.to_json() for h in hits]}, ensure_ascii=False), flush=True)
            continue
        print(f"问题: {q}")
        for n, h in enumerate(hits, 1):
            depts = "、".join(h.chunk.departments) or "—"
            print(f"[{n}] {document_name(h.chunk.title, h.chunk.version)}{h.chunk.doc_number} · {h.chunk.path_str}"
                  f" · {h.status}  (score {h.score:.4f})")
            print(f"    责任部门: {depts}")
            print(f"    {h.chunk.text[:160]}{'…' if len(h.chunk.text) > 160 else ''}")
        if not hits:
            print("（无结果）")
        print()
    return EXIT_ERROR if bad else 0


def cmd_ask(args) -> int:
    from assistant.answering.events import Done, Sources, Token
    from assistant.records import STATUS_LABELS
    from assistant.serving.service import stream

    questions, bad = given_questions(args.question, args.queries)
    if not questions:
        return EXIT_USAGE
    assistant = build_assistant(args, progress=True)
    filters = filters_from(args)
    for q in questions:
        answer = None
        for event in stream(assistant, q, filters=filters):
            if isinstance(event, Sources) and args.stream and not args.json:
                print("来源: " + "；".join(f"[{c.n}] {c.chunk.path_str}" for c in event.citations), flush=True)
            elif isinstance(event, Token) and args.stream and not args.json:
                print(event.text, end="", flush=True)
            elif isinstance(event, Done):
                answer = event.answer
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            continue
        if args.stream:
            print("\n--- 核验后的回答 ---")
        print(f"问题: {q}\n{answer.display_text}\n[{STATUS_LABELS[answer.verified]}]")
        for c in answer.citations:
            print(f"  [{c.n}] {c.reference}\n      “{c.quote[:120]}”")
        for note in answer.notes:
            print(f"  注: {note}")
        if answer.suggestions and answer.refused:
            print("  相近条款: " + "；".join(answer.suggestions))
        print()
    return EXIT_ERROR if bad else 0


def cmd_list(kb: KnowledgeBase) -> int:
    index = kb.load()
    for doc_id, d in sorted(index.manifest["documents"].items()):
        print(f"{doc_id}\t{d['source']}\t{d['title']}\t{d['doc_number'] or '—'}\t{d['chunks']} 段")
    return 0


def cmd_check(args, kb: KnowledgeBase) -> int:
    """One output line per input line; a bad line is reported on stderr with its number and the rest go on."""
    documents = kb.load().manifest.get("documents", {})
    failed = 0
    for n, line in enumerate(args.companies.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            result = check_request(json.loads(line), documents)
        except (InvalidInput, json.JSONDecodeError) as e:
            print(f"第 {n} 行：{e}", file=sys.stderr)
            failed += 1
            continue
        print(json.dumps(result, ensure_ascii=False) if args.json else _check_text(result))
    return EXIT_ERROR if failed else 0


def _check_text(result: dict) -> str:
    lines = [f"申报日期 {result['as_of']}  {result['company']}"]
    for n, m in enumerate(result["measures"], 1):
        lines.append(f"{n}. 【{m['verdict']}】{m['measure']}（{m['status']}）{'；'.join(m['notes'])}")
        lines += [f"   - {c['status']}：{c['quote']} — {c['reason']}" for c in m["conditions"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "index" and args.corpus_dir:
            args.corpus = args.corpus_dir
        if args.command == "ask":
            return cmd_ask(args)
        kb = knowledge_base(args)
        if args.command == "search":
            return cmd_search(args, kb)
        if args.command == "list":
            return cmd_list(kb)
        if args.command == "check":
            return cmd_check(args, kb)
        if args.command == "index" and args.shard:
            part, _, parts = args.shard.partition("/")
            if not (part.isdigit() and parts.isdigit()):
                raise ValueError(f"--shard 应为 I/N, 例如 1/4, 收到 {args.shard!r}")
            print(f"已暂存 {kb.stage(int(part), int(parts), progress=True)} 句的向量 ({args.index / '.staging'})")
            return 0
        if args.command == "index":
            _, report = kb.sync(progress=True)
        elif args.command == "add":
            _, report = kb.add(args.file, progress=True)
        else:
            _, report = kb.remove(args.doc)
        for e in report.errors:
            print(f"跳过: {e}", file=sys.stderr)
        for sentence in report.instructions:
            print(f"注意: 疑似写给 AI 的指令，可检索、可显示，但不交给大模型 — {sentence[:120]}", file=sys.stderr)
        print(report.summary())
        return EXIT_ERROR if report.errors and args.command != "index" else 0
    except (AssistantError, KeyError, ValueError, OSError) as e:
        print(f"错误: {e}", file=sys.stderr)
        return EXIT_ERROR
