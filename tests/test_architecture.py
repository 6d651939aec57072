"""The layering of ARCHITECTURE.md: no module of `assistant` imports from a layer above its own."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
LAYERS = {
    "errors": 0, "records": 0, "config": 0, "normalize": 0, "patterns": 0, "asks": 0, "limits": 0, "instructions": 0,
    "ingest": 1, "store": 2, "retrieval": 3, "answering": 4, "matching": 5,
    "serving": 6, "integrations": 6, "__main__": 6, "__init__": 0,
}


def layer(module: str) -> int:
    """The layer of a dotted module name inside `assistant` (its first component below the package)."""
    parts = module.split(".")
    assert parts[0] == "assistant", module
    return LAYERS[parts[1]] if len(parts) > 1 else 0


def imports(path: Path) -> list[str]:
    """Every `assistant…` module the file imports, at any depth (function-level imports included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "assistant"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; use absolute `assistant.…` imports"
            if node.module and node.module.split(".")[0] == "assistant":
                if node.module == "assistant":  # `from assistant import serving` names packages
                    found += [f"assistant.{a.name}" for a in node.names]
                else:
                    found.append(node.module)
    return found


def top_level_imports(path: Path) -> set[str]:
    """The top-level packages the file imports (faiss, gradio, …), at any depth."""
    return {n.split(".")[0] for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            for n in ([a.name for a in node.names] if isinstance(node, ast.Import) else
                      [node.module or ""] if isinstance(node, ast.ImportFrom) else [])}


MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(("assistant", *path.relative_to(PACKAGE).with_suffix("").parts))


def test_every_module_has_a_layer():
    for path in MODULES:
        layer(module_name(path))  # KeyError names a top-level module ARCHITECTURE.md does not place


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports(path):
    own = layer(module_name(path))
    upward = [m for m in imports(path) if layer(m) > own]
    assert not upward, f"{module_name(path)} (layer {own}) imports from a higher layer: {upward}"


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from assistant.serving.wiring import build_assistant\n", encoding="utf-8")
    assert imports(bad) == ["assistant.serving.wiring"] and layer(imports(bad)[0]) > layer("assistant.retrieval.x")


def test_only_the_web_app_imports_gradio_only_the_api_imports_fastapi_and_only_integrations_imports_langchain():
    for path in MODULES:
        names = top_level_imports(path)
        rel = str(path.relative_to(PACKAGE))
        if "gradio" in names:
            assert rel.startswith("serving/web/"), f"{rel} imports gradio"
        if names & {"fastapi", "starlette", "uvicorn"}:
            in_api = rel.startswith("serving/api/")
            assert in_api or rel.startswith("serving/web/"), f"{rel} imports FastAPI/Starlette/uvicorn"
            assert in_api or names & {"fastapi", "starlette"} == set(), f"{rel} imports FastAPI"
        if names & {"langchain", "langchain_core", "langchain_community"}:
            assert rel == "integrations.py", f"{rel} imports LangChain"


def test_only_the_faiss_store_imports_faiss_and_only_the_milvus_store_imports_pymilvus():
    for path in MODULES:
        names = top_level_imports(path)
        rel = str(path.relative_to(PACKAGE))
        if "faiss" in names:
            assert rel == "store/faiss_store.py", f"{rel} imports FAISS"
        if names & {"pymilvus", "milvus_lite"}:
            assert rel == "store/milvus.py", f"{rel} imports pymilvus"
