"""Shared fixtures: the real bundled model (converted once per machine), a real index of the
bundled report on disk, and the report's text."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from qa import ReportQA, Retriever, build_index
from qa.embed import Embedder

# A run started in the background of a script (``pytest … &``, nohup) ignores Ctrl-C, and so
# would every command the tests start and interrupt: give them Python's own handler back.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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
def report_qa(report_index, embedder) -> ReportQA:
    """Report QA over the bundled report's index: what ``qa ask`` and the bot use."""
    return ReportQA.open(report_index, model=embedder)


@pytest.fixture(scope="session")
def retriever(report_qa) -> Retriever:
    return report_qa.retriever


@pytest.fixture(scope="session")
def many_reports(tmp_path_factory) -> Path:
    """Four reports (see ``tests/auxil/reports.py``): the bundled 2020 Heilongjiang report,
    its 2019 and its Jilin copies with sidecars, and a 2021 Jilin report without one."""
    from tests.auxil.reports import write_reports

    return write_reports(tmp_path_factory.mktemp("many") / "reports")


@pytest.fixture(scope="session")
def many_index(many_reports, tmp_path_factory, embedder, report_index) -> Path:
    """The four reports' index, built once by the real build path. Its embedding cache starts
    as a copy of ``report_index``'s: the bundled report is one of the four, and its passages'
    vectors are already there (the index is the same; the build only embeds less)."""
    index = tmp_path_factory.mktemp("many-index")
    shutil.copytree(report_index / "cache", index / "cache")
    build_index([many_reports], index, model=embedder)
    return index


@pytest.fixture(scope="session")
def many_qa(many_index, embedder) -> ReportQA:
    return ReportQA.open(many_index, model=embedder)


@pytest.fixture
def index_copy(report_index, tmp_path) -> Path:
    """A private copy of the built index, for tests that rebuild or damage it."""
    target = tmp_path / "index"
    shutil.copytree(report_index, target)
    return target
