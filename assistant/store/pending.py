"""Files on their way into or out of the corpus folder: each waits in corpus/.pending/<add|remove>/ until the
manifest that lists (or no longer lists) it is in place, and one rule settles what a killed writer left there.

Example::

    staged = pending_folder(corpus_dir, "add") / path.name
    settle(corpus_dir, {(source, sha256) for every document of the current manifest})
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assistant.ingest.documents import SIDECAR_SUFFIX

PENDING = ".pending"  # inside the corpus folder; hidden, so load_corpus skips it


def pending_folder(corpus_dir: Path, kind: str) -> Path:
    """corpus/.pending/<kind>/, created when missing."""
    folder = corpus_dir / PENDING / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(corpus_dir: Path, indexed: set[tuple[str, str]]) -> None:
    """A pending file whose (name, sha256) the manifest lists goes (back) into the corpus; others go."""
    pending = corpus_dir / PENDING
    for f in sorted(pending.glob("*/*")):
        if not f.is_file() or f.name.endswith(SIDECAR_SUFFIX):
            continue
        if (f.name, hashlib.sha256(f.read_bytes()).hexdigest()) in indexed:
            move(f, corpus_dir / f.name)
        discard(f)
    for f in pending.glob("*/*"):  # a sidecar whose file is gone
        f.unlink(missing_ok=True)


def sidecar(path: Path) -> Path:
    """The metadata sidecar of a corpus file (`name.ext` + SIDECAR_SUFFIX)."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def move(src: Path, dst: Path) -> None:
    """Rename a file and its metadata sidecar (same file system: atomic each)."""
    for a, b in ((src, dst), (sidecar(src), sidecar(dst))):
        if a.exists():
            os.replace(a, b)


def discard(path: Path) -> None:
    """Delete a file and its sidecar, if there."""
    for f in (path, sidecar(path)):
        f.unlink(missing_ok=True)
