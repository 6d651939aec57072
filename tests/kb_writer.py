"""A knowledge-base writer run as its own process by tests/test_reliability.py, with the fast fake embedder.

    python tests/kb_writer.py CORPUS INDEX add FILE [--crash POINT] [--embed-seconds S]
    python tests/kb_writer.py CORPUS INDEX remove DOC [--crash POINT]

--crash kills this process with SIGKILL (no clean-up of any kind runs) at POINT: `embed` (inside the
embedder), `data` (half-way through writing index.faiss), `manifest` (data folder complete, manifest not yet
replaced) or `commit` (new manifest in place, corpus not yet updated). --embed-seconds makes embedding slow,
to hold the write lock while another writer starts.
"""
import argparse
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakes import BigramEmbedder  # noqa: E402

from assistant.store import faiss_store  # noqa: E402
from assistant.store import index as store  # noqa: E402
from assistant.store.knowledge import KnowledgeBase  # noqa: E402


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Embedder(BigramEmbedder):
    """The fake embedder, optionally slow, optionally killed mid-batch."""

    def __init__(self, crash: bool, seconds: float):
        super().__init__()
        self.crash, self.seconds = crash, seconds

    def embed_batch(self, texts, *, query):
        out = super().embed_batch(texts, query=query)
        time.sleep(self.seconds)
        if self.crash:
            die()
        return out


def install(point: str) -> None:
    """Patch the index writer so that the process dies at `point`."""
    if point == "data":
        real = faiss_store.faiss.write_index

        def write_half(index, path):
            real(index, path)
            with open(path, "r+b") as f:
                f.truncate(os.path.getsize(path) // 2)
            die()

        faiss_store.faiss.write_index = write_half
    elif point == "manifest":
        store._write_json = lambda path, data: die()
    elif point == "commit":
        real_save = store.save

        def save_then_die(index, directory):
            real_save(index, directory)
            die()

        store.save = save_then_die


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("corpus", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("command", choices=["add", "remove"])
    p.add_argument("target")
    p.add_argument("--crash", choices=["embed", "data", "manifest", "commit"])
    p.add_argument("--embed-seconds", type=float, default=0.0)
    args = p.parse_args()
    install(args.crash or "")
    kb = KnowledgeBase(args.corpus, args.index, Embedder(args.crash == "embed", args.embed_seconds))
    _, report = kb.add(Path(args.target)) if args.command == "add" else kb.remove(args.target)
    print(report.summary(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
