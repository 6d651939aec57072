"""Shared pieces of the public-benchmark commands: where the data is, seeded subsets, tables, JSON output."""
from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks"  # read in place: the licences do not let us copy it into the repo
SEED = 2333  # the RGB authors' seed; any fixed value makes runs repeatable

T = TypeVar("T")


def add_bench_args(p: argparse.ArgumentParser) -> None:
    """Options every benchmark command takes."""
    p.add_argument("--data", type=Path, default=DATA, help="benchmarks folder (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0, help="evaluate a seeded random subset of N questions (0 = all)")
    p.add_argument("--seed", type=int, default=SEED, help="seed for subsets and passage sampling (default: %(default)s)")
    p.add_argument("--out", type=Path, help="write the results as JSON to this file")


def subset(items: Sequence[T], limit: int, seed: int) -> list[T]:
    """A seeded random subset of `limit` items in their original order (all when limit is 0 or too large)."""
    if limit < 0:
        raise ValueError(f"--limit must be >= 0, got {limit}")
    if not limit or limit >= len(items):
        return list(items)
    return [items[i] for i in sorted(random.Random(seed).sample(range(len(items)), limit))]


def require(path: Path) -> Path:
    """The path, or a clear error naming --data when the benchmark file is missing."""
    if not path.is_file():
        raise FileNotFoundError(f"benchmark file not found: {path} (set --data to the benchmarks folder)")
    return path


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; floats with 1 decimal (the benchmarks report percentages)."""
    cell = lambda x: "—" if x is None else f"{x:.1f}" if isinstance(x, float) else str(x)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows])


def write_json(path: Path | None, data: dict) -> None:
    """Write results when --out was given."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
