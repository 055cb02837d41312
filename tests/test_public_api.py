"""The public API is small, documented and real: each public module lists its names in
``__all__``, every one of them exists and has a docstring, and docs/api.md lists each under
its module, one line each. ``qa`` and ``qa.present`` load their names on first use, so
importing them is cheap.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT

#: The public modules (STYLE.md): what the faces may import.
PUBLIC = ("qa", "qa.errors", "qa.policy", "qa.present", "qa.config")
API_PAGE = ROOT / "docs" / "api.md"


def documented(module: str) -> list[str]:
    """The names docs/api.md lists (``- `name` — …``) in the section of ``module``."""
    text = API_PAGE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    section = next(s for s in sections if s.startswith(f"`{module}`\n"))
    return re.findall(r"^- `([^`]+)` — ", section, flags=re.M)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_module_lists_its_names_in_all(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__
    assert len(set(module.__all__)) == len(module.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_class_and_module_has_a_docstring(name: str) -> None:
    """Constants are described by docs/api.md (and a ``#:`` comment where they are set)."""
    module = importlib.import_module(name)
    values = {n: getattr(module, n) for n in module.__all__}
    undocumented = [
        n
        for n, v in values.items()
        if (inspect.isclass(v) or inspect.isroutine(v) or isinstance(v, ModuleType))
        and not (inspect.getdoc(v) or "").strip()
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", PUBLIC)
def test_the_api_page_lists_every_public_name_under_its_module(name: str) -> None:
    module = importlib.import_module(name)
    listed = documented(name)
    assert sorted(set(module.__all__) - set(listed)) == []  # missing from the page
    assert sorted(set(listed) - set(module.__all__)) == []  # on the page, but not public
    assert len(listed) == len(set(listed))


def test_the_architecture_page_links_the_api_page() -> None:
    assert "(api.md)" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["qa", "qa.present"])
def test_a_lazy_package_exports_exactly_what_it_loads_and_types_it(name: str) -> None:
    """``_EXPORTS`` (what loads on first use), ``__all__`` and the imports a type checker
    reads (under ``if TYPE_CHECKING:``) name the same things."""
    module = importlib.import_module(name)
    tree = ast.parse(inspect.getsource(module))
    typed = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for imp in node.body
        if isinstance(imp, ast.ImportFrom)
        for alias in imp.names
    }
    loaded = set(module._EXPORTS)
    assert loaded == typed
    assert set(module.__all__) - loaded <= {"__version__"}
    assert loaded <= set(module.__all__)


def test_importing_the_public_modules_is_cheap() -> None:
    """``qa --version`` and the first lines of ``qa ask`` import ``qa.cli``, ``qa``,
    ``qa.errors`` and ``qa.present``: none of them loads the model runtime, numpy or the
    index."""
    code = (
        "import sys, qa, qa.cli, qa.errors, qa.present, qa.config, qa.policy; "
        "print(sorted(m for m in ('numpy', 'faiss', 'onnxruntime', 'torch', 'qa.answer', "
        "'qa.index', 'qa.retrieve') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def test_a_name_loads_on_first_use_and_is_the_private_one() -> None:
    import qa
    import qa.present
    from qa.answer import ReportQA
    from qa.present.view import view_answer

    assert qa.ReportQA is ReportQA
    assert qa.present.view_answer is view_answer
    assert "ReportQA" in dir(qa)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = qa.nothing
