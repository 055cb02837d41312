"""Shared fixtures: the real bundled model (converted once per machine), a real index of the
bundled report on disk, and the report's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa import Retriever, build_index
from qa.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REPORT = DATA / "heilongjiang-civil-affairs-2020.txt"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled multilingual-e5-small on the default runtime (ONNX Runtime fp32, unless
    ``QA_BACKEND`` / ``QA_PRECISION`` say otherwise), loaded once for the whole test run."""
    return Embedder.load()


@pytest.fixture(scope="session")
def torch_embedder() -> Embedder:
    """The bundled model on torch in fp32: the reference the ONNX export is held to."""
    return Embedder.load(backend="torch")


@pytest.fixture(scope="session")
def onnx_fp32_embedder(embedder) -> Embedder:
    """The bundled model's ONNX export in fp32 (exported once per machine, in the cache);
    the default embedder when that is what the settings give."""
    if (embedder.backend, embedder.precision) == ("onnx", "fp32"):
        return embedder
    return Embedder.load(backend="onnx", precision="fp32")


@pytest.fixture(scope="session")
def onnx_int8_embedder() -> Embedder:
    """The bundled model's ONNX export quantised to int8 (``QA_PRECISION=int8``)."""
    return Embedder.load(backend="onnx", precision="int8")


@pytest.fixture(scope="session")
def report_index(tmp_path_factory, embedder) -> Path:
    """An index of the bundled report, built once by the real build path."""
    index = tmp_path_factory.mktemp("index")
    build_index([DATA], index, model=embedder)
    return index


@pytest.fixture(scope="session")
def retriever(report_index, embedder) -> Retriever:
    return Retriever.load(report_index, model=embedder)


@pytest.fixture
def index_copy(report_index, tmp_path) -> Path:
    """A private copy of the built index, for tests that rebuild or damage it."""
    target = tmp_path / "index"
    shutil.copytree(report_index, target)
    return target
