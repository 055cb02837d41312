"""The house rules of the code base, checked on its source: data flows one way, the faces
use the library's public modules only, and only one module reads the environment.

Imports are read with ``ast`` from every module (including imports inside functions, which
run just the same, and excluding only those under ``if TYPE_CHECKING:``); a lazy export of a
package (an entry of its ``_EXPORTS``, imported on first use) counts as an import of it.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The library's public modules (STYLE.md), the only ones a face may import; ``qa.present``'s
#: own ``__all__`` adds the back ends it hands out as modules (``as_json``).
PUBLIC = ("qa", "qa.config", "qa.errors", "qa.policy", "qa.present")
#: The faces over the library: the CLI and the chat (which live under ``qa/``), the Telegram
#: bot, the web server and the benchmarks.
FACES = ("qa.cli", "qa.chat", "bot", "web", "benchmarks")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: str) -> dict[str, Path]:
    return dict(_scan(package))


@functools.cache
def _scan(package: str) -> tuple[tuple[str, Path], ...]:
    """The package's modules, read from disk once per run (the checks ask for them often)."""
    return tuple((_module_name(p), p) for p in sorted((ROOT / package).rglob("*.py")))


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
    ours = {**_sources("qa"), **_sources("bot"), **_sources("web"), **_sources("benchmarks")}
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
        elif _is_lazy_exports(node):
            found.update(target.value.partition(":")[0] for target in node.value.values)
    return found


def _is_lazy_exports(node: ast.AST) -> bool:
    """``_EXPORTS = {"name": "module:attribute", …}``, read by ``qa._lazy.lazy_exports``."""
    return (
        isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["_EXPORTS"]
        and isinstance(node.value, ast.Dict)
        and all(isinstance(v, ast.Constant) for v in node.value.values)
    )


def _in(module: str, where: str) -> bool:
    return module == where or module.startswith(where + ".")


def faces() -> dict[str, Path]:
    """Every module of every face, by name."""
    every = {**_sources("qa"), **_sources("bot"), **_sources("web"), **_sources("benchmarks")}
    return {m: p for m, p in every.items() if any(_in(m, face) for face in FACES)}


def public_modules() -> set[str]:
    """The modules a face may import: ``PUBLIC`` and the back ends ``qa.present`` hands out
    as modules in its ``__all__``."""
    import qa.present

    ours = _sources("qa")
    handed_out = {f"qa.present.{name}" for name in qa.present.__all__}
    return {*PUBLIC, *(handed_out & ours.keys())}


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


def test_the_checker_tells_a_private_import_from_a_public_one(tmp_path) -> None:
    face = tmp_path / "face.py"
    face.write_text(
        "from qa import ReportQA, config\n"
        "from qa.errors import QAError\n"
        "from qa.present import as_json, view_answer\n"
        "def later():\n"
        "    from qa.answer.compose import compose\n"
        "    from qa.present import terminal\n",
        encoding="utf-8",
    )
    found = {i for i in imports_of("benchmarks.face", face) if i.split(".")[0] == "qa"}
    assert found - public_modules() == {"qa.answer.compose", "qa.present.terminal"}


def test_the_faces_are_the_cli_the_chat_the_bot_the_web_server_and_the_benchmarks() -> None:
    assert {"qa.cli", "qa.chat", "bot.app", "web.app", "benchmarks.quality"} <= faces().keys()
    assert not any(_in(m, "qa") for m in faces().keys() - {"qa.cli", "qa.chat"})


def test_there_is_no_import_cycle_inside_qa() -> None:
    assert _cycle(_graph("qa")) is None


def test_no_library_module_imports_the_package_root_or_a_face() -> None:
    """The faces under ``qa/`` (the CLI, the chat) import ``qa`` like any face; the library
    itself never does, nor does it import a face."""
    face_modules = faces()
    library = {m: p for m, p in _sources("qa").items() if m != "qa" and m not in face_modules}
    offenders = {
        m: sorted(i for i in imports_of(m, p) if i == "qa" or i in face_modules)
        for m, p in library.items()
    }
    assert {m: i for m, i in offenders.items() if i} == {}


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


@pytest.mark.parametrize("face", FACES)
def test_each_face_imports_only_the_public_modules(face: str) -> None:
    """``qa``, ``qa.errors``, ``qa.policy``, ``qa.present`` and ``qa.config`` — or another face
    (``qa chat`` runs the chat loop, ``qa serve`` the web server); what a face needs from
    the library is made public and documented (docs/api.md)."""
    modules = {m: p for m, p in faces().items() if _in(m, face)}
    assert modules
    allowed = public_modules() | faces().keys()
    offenders = {
        m: sorted(i for i in imports_of(m, p) if i.split(".")[0] == "qa" and i not in allowed)
        for m, p in modules.items()
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
