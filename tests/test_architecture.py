"""The layering of ARCHITECTURE.md: no module of `assistant` imports from a layer above its own, no import circle
(not even inside a layer), and `eval/`, `scripts/` and `app.py` sit on top: they may import `assistant`, nothing in
`assistant` imports them, and they import in no circle either."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assistant"
LAYERS = {
    "errors": 0, "records": 0, "config": 0, "normalize": 0, "patterns": 0, "asks": 0, "limits": 0, "instructions": 0,
    "ingest": 1, "store": 2, "retrieval": 3, "answering": 4, "matching": 5,
    "serving": 6, "integrations": 6, "__main__": 6, "__init__": 0,
}
ON_TOP = ("eval", "scripts", "app")  # entry points and tools: they use `assistant`, never the other way


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


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name of a file below `root`; a package's `__init__.py` is the package itself."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, paths: list[Path]) -> dict[str, set[str]]:
    """Module → the modules among `paths` it imports, at any depth (function-level imports included).

    `from assistant.store import index` is the module `assistant.store.index` when there is one, else (a name the
    package's `__init__` defines) the package; relative imports are resolved against the importing module."""
    names = {module_name(p, root): p for p in paths}

    def known(name: str) -> str | None:  # the longest prefix of a dotted name that is one of the modules
        parts = name.split(".")
        return next((m for i in range(len(parts), 0, -1) if (m := ".".join(parts[:i])) in names), None)

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {known(a.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
                base = ".".join(p for p in (base, node.module or "") if p)
                found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in names else known(base) for a in node.names}
        graph[name] = {m for m in found if m is not None and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one module (modules that import each other, directly or
    around a loop), its members sorted."""

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for m in graph.get(todo.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    reach = {m: reachable(m) for m in graph}
    found: list[list[str]] = []
    for m in sorted(graph):
        component = sorted({m} | {n for n in reach[m] if m in reach[n]})
        if len(component) > 1 and component not in found:
            found.append(component)
    return found


ON_TOP_FILES = sorted([*(ROOT / "eval").rglob("*.py"), *(ROOT / "scripts").rglob("*.py"), ROOT / "app.py"])
GRAPH = import_graph(ROOT, MODULES + ON_TOP_FILES)


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


@pytest.mark.parametrize("part", ["assistant", "eval, scripts and app"])
def test_no_import_circle(part):
    """Not even inside a layer: the interface module must not import its implementations."""
    def inside(m: str) -> bool:
        return (m.split(".")[0] == "assistant") == (part == "assistant")

    found = circles({m: {n for n in ms if inside(n)} for m, ms in GRAPH.items() if inside(m)})
    assert not found, "import circles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_nothing_in_assistant_imports_eval_scripts_or_app():
    assert {"eval.rgb", "eval.bench", "assistant.ingest.chunking"} <= GRAPH["scripts.rejection_probe"]  # seen
    assert GRAPH["app"] == {"assistant.serving.web.app"}
    wrong = {m: sorted(n for n in ms if n.split(".")[0] in ON_TOP) for m, ms in GRAPH.items()
             if m.split(".")[0] == "assistant"}
    assert {m: ns for m, ns in wrong.items() if ns} == {}


def test_the_circle_checker_sees_made_up_circles(tmp_path):
    files = {
        "pkg/__init__.py": "from pkg.d import D\n",  # the package's __init__ is a module of a circle too
        "pkg/a.py": "from pkg import b\n",  # the module pkg.b, not the package
        "pkg/b.py": "def f():\n    import pkg.c.x\n",  # function level; pkg.c.x is no module: pkg.c is
        "pkg/c.py": "from .a import A\n",  # relative
        "pkg/d.py": "from pkg import VERSION\n",  # a name the package defines: the package
        "pkg/e.py": "import pkg.a\nfrom . import d\n",  # imports members of circles, in none itself
        "pkg/f.py": "import pkg.f\nimport os\n",  # itself and the standard library: no circle
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path, sorted(tmp_path.rglob("*.py")))
    assert graph == {"pkg": {"pkg.d"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}, "pkg.d": {"pkg"},
                     "pkg.e": {"pkg.a", "pkg.d"}, "pkg.f": set()}
    assert circles(graph) == [["pkg", "pkg.d"], ["pkg.a", "pkg.b", "pkg.c"]]


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
