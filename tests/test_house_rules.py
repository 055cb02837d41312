"""The house rules of the code base, checked on its source: data flows one way, the faces
use the library's public names, and only one module reads the environment.

Imports are read with ``ast`` from every module (including imports inside functions, which
run just the same, and excluding only those under ``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: str) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield child
                yield from _walk(child)
            continue
        yield node
        yield from _walk(node)


def imports_of(module: str, path: Path) -> set[str]:
    """The modules ``module`` imports (``from a import b`` counts as ``a.b`` when ``a.b`` is a
    module of ours, else as ``a``)."""
    ours = {**_sources("qa"), **_sources("bot"), **_sources("web")}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in ours else base)
    return found


def _graph(package: str) -> dict[str, set[str]]:
    sources = _sources(package)
    return {m: {i for i in imports_of(m, p) if i in sources} for m, p in sources.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, as a path that ends where it starts, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_checker_finds_a_cycle_and_reads_relative_imports(tmp_path) -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert "qa.present.view" in imports_of("qa.present", ROOT / "qa/present/__init__.py")


def test_there_is_no_import_cycle_inside_qa() -> None:
    assert _cycle(_graph("qa")) is None


def test_no_module_under_qa_imports_the_package_root() -> None:
    offenders = [m for m, p in _sources("qa").items() if m != "qa" and "qa" in imports_of(m, p)]
    assert offenders == []


def test_retrieval_never_imports_answering() -> None:
    offenders = {
        m: sorted(i for i in imports_of(m, p) if i == "qa.answer" or i.startswith("qa.answer."))
        for m, p in _sources("qa").items()
        if m == "qa.retrieve" or m.startswith("qa.retrieve.")
    }
    assert {m: i for m, i in offenders.items() if i} == {}


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("qa.corpus", ("qa.embed", "qa.index", "qa.retrieve", "qa.answer", "qa.present")),
        ("qa.index", ("qa.retrieve", "qa.answer", "qa.present")),
        ("qa.answer", ("qa.present",)),
    ],
)
def test_data_flows_one_way(lower: str, upper: tuple[str, ...]) -> None:
    """corpus → index → retrieve → answer → present: no step imports a later one."""
    offenders = {
        m: sorted(i for i in imports_of(m, p) if i.startswith(upper))
        for m, p in _sources("qa").items()
        if m == lower or m.startswith(lower + ".")
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def test_the_bot_imports_only_the_library_root_and_its_config_reader() -> None:
    offenders = {
        m: sorted(
            i for i in imports_of(m, p) if i.split(".")[0] == "qa" and i not in ("qa", "qa.config")
        )
        for m, p in _sources("bot").items()
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def test_the_web_server_imports_only_the_public_modules() -> None:
    """``qa serve`` is a face like the bot: ``qa``, the presentation layer, errors, policy and
    the config reader."""
    allowed = ("qa", "qa.config", "qa.errors", "qa.policy", "qa.present")
    offenders = {
        m: sorted(
            i
            for i in imports_of(m, p)
            if i.split(".")[0] == "qa" and not (i in allowed or i.startswith("qa.present."))
        )
        for m, p in _sources("web").items()
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def _reads_environment(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            return True
        if isinstance(node, ast.Name) and node.id in ("getenv", "environ", "load_dotenv"):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module in ("os", "dotenv")
            and any(a.name in ("environ", "getenv", "load_dotenv") for a in node.names)
        ):
            return True
    return False


def test_only_the_config_module_reads_the_environment() -> None:
    readers = [
        m
        for package in ("qa", "bot", "web")
        for m, p in _sources(package).items()
        if _reads_environment(p)
    ]
    assert readers == ["qa.config"]
