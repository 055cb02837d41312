"""Lazy exports for the public packages (PEP 562): ``from qa import ReportQA`` imports the
modules behind ``ReportQA`` on first use, not at ``import qa``, so that a command that needs
little (``qa --version``, ``qa ask`` before its index opens) starts fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose public names live in its
    modules: ``exports`` maps each name to ``"module"`` (the name is that module) or
    ``"module:attribute"``. A name is imported once, then kept in ``namespace``."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = target.partition(":")
        value = importlib.import_module(module)
        if attribute:
            value = getattr(value, attribute)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
