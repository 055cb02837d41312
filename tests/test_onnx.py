"""The ONNX Runtime backend (issue #13): the export gives torch's vectors, int8 stays close to
fp32, an index is only searched with the runtime that made its vectors, the embedding cache
keeps runtimes apart, micro-batching is correct under real concurrency, and length-sorted
batches give the vectors one-by-one encoding gives.

Real model (the bundled e5-small, exported once per machine into the model cache), real
ONNX Runtime, real indexes on disk.
"""

from __future__ import annotations

import json
import sqlite3
import threading

import numpy as np
import pytest

from qa import ReportQA, Retriever, build_index
from qa.corpus import read_sources
from qa.embed import Embedder, MicroBatcher
from qa.errors import IndexOutdatedError, ModelError, ModelMismatchError, RuntimeMismatchError
from qa.index import dense
from qa.index.cache import FILENAME as CACHE_FILE
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from qa.index.snapshot import Snapshot
from qa.sentences import split_sentences
from tests.conftest import DATA

QUESTIONS = [
    "向全省養老機構撥付的疫情防控補助和運營補貼是多少？",
    "疫情期間低保金一共發放了多少？",
    "新增养老床位多少张？",
    "村党组织书记“一肩挑”的比例达到多少？",
    "How many people received temporary assistance outside their home area?",
    "What share of the registered poor population was brought under the minimum living guarantee?",
    "2019年黑龍江省新增了多少張養老床位？",
    "誰提供了圖片？",
]


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    return [p.text for p in read_sources([DATA]).passages if p.kind == "text"]


@pytest.fixture(scope="module")
def sentences(paragraphs) -> list[str]:
    return [p[a:b] for p in paragraphs for a, b in split_sentences(p)]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.slow  # loads torch
def test_onnx_query_path_tokenizes_like_the_model(onnx_fp32_embedder, torch_embedder, sentences):
    texts = ["query: " + t for t in [*QUESTIONS, *sentences, "", "ＡＢＣ ～ ①"]]
    ours = onnx_fp32_embedder.encoder.token_ids(texts)
    theirs = torch_embedder.encoder.token_ids(texts)
    assert ours == theirs


@pytest.mark.slow
def test_fp32_export_matches_torch(onnx_fp32_embedder, torch_embedder, paragraphs, sentences):
    """Every report sentence and paragraph, the questions, and a text past 512 tokens
    (truncated the same way on both sides)."""
    passages = [*paragraphs, "".join(paragraphs)]
    queries = [*QUESTIONS, *sentences]
    assert len(passages) + len(queries) > 100
    for encode in ("encode_passages", "encode_queries"):
        texts = passages if encode == "encode_passages" else queries
        ours = getattr(onnx_fp32_embedder, encode)(texts)
        theirs = getattr(torch_embedder, encode)(texts)
        cosines = _cosines(ours, theirs)
        assert cosines.min() >= 0.999, (encode, cosines.min())


@pytest.mark.slow
def test_int8_stays_close_to_fp32(onnx_int8_embedder, onnx_fp32_embedder, paragraphs, sentences):
    """``QA_PRECISION=int8``: per-channel weights keep it near fp32 (per-tensor weights
    dropped to 0.98); retrieval quality is measured in benchmarks/quality.py."""
    embedder = onnx_int8_embedder
    texts = [*QUESTIONS, *sentences[:40]]
    cosines = _cosines(embedder.encode_queries(texts), onnx_fp32_embedder.encode_queries(texts))
    assert cosines.mean() >= 0.995 and cosines.min() >= 0.985, (cosines.mean(), cosines.min())
    cosines = _cosines(
        embedder.encode_passages(paragraphs), onnx_fp32_embedder.encode_passages(paragraphs)
    )
    assert cosines.min() >= 0.99, cosines.min()


@pytest.mark.slow
def test_the_onnx_backend_does_not_import_torch(tmp_path):
    """The query path of the default runtime: a fresh process loads the model and embeds a
    question without torch."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from qa.embed import Embedder\n"
        "e = Embedder.load()\n"
        "e.encode_query('養老床位')\n"
        "print(e.backend, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=DATA.parent
    )
    assert out.stdout.split() == ["onnx", "False", "False"]


@pytest.mark.slow  # embeds long paragraphs one by one; tests/test_embed_plan.py keeps the build's batching quick
def test_length_batched_passages_equal_one_by_one(onnx_fp32_embedder, paragraphs, sentences):
    """Sorted by length, batched, put back in order: the vectors of one-at-a-time encoding."""
    texts = [*sentences[:12], *paragraphs[:12]]  # lengths from a few tokens to a few hundred
    batched = onnx_fp32_embedder.encode_passages(texts, batch_size=8)
    alone = np.vstack([onnx_fp32_embedder.encode_passages([t]) for t in texts])
    assert np.abs(batched - alone).max() <= 1e-5


def test_manifest_records_the_runtime(report_index, embedder):
    assert (embedder.backend, embedder.precision) == ("onnx", "fp32")  # the defaults
    manifest = Manifest.load(IndexLayout(report_index).current())
    assert manifest.model["backend"] == "onnx"
    assert manifest.model["precision"] == "fp32"
    assert "ONNX Runtime fp32" in manifest.model["description"]


@pytest.mark.slow  # loads torch
def test_an_index_is_refused_with_another_precision_or_backend(
    report_index, onnx_int8_embedder, torch_embedder
):
    current = IndexLayout(report_index).current()
    for other in (onnx_int8_embedder, torch_embedder):
        with pytest.raises(ModelMismatchError, match=r"built on onnx fp32, not") as caught:
            Snapshot.open(current, embedder=other)
        assert isinstance(caught.value, RuntimeMismatchError)


def test_the_configured_runtime_is_checked_before_loading_a_model(report_index, monkeypatch):
    monkeypatch.setenv("QA_PRECISION", "int8")
    with pytest.raises(RuntimeMismatchError, match="QA_BACKEND=onnx QA_PRECISION=fp32"):
        Retriever.load(report_index)
    monkeypatch.setenv("QA_BACKEND", "torch")
    with pytest.raises(RuntimeMismatchError, match="not torch fp32"):
        Retriever.load(report_index)


@pytest.mark.slow  # loads torch
def test_an_index_from_before_runtimes_counts_as_torch_fp32(index_copy, embedder, torch_embedder):
    """Indexes built before this change have no runtime fields: their vectors are torch's."""
    current = IndexLayout(index_copy).current()
    data = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    del data["model"]["backend"], data["model"]["precision"]
    (current / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuntimeMismatchError, match="built on torch fp32, not onnx fp32") as caught:
        Snapshot.open(current, embedder=embedder)
    assert isinstance(caught.value, IndexOutdatedError)  # so open_or_build rebuilds it
    Snapshot.open(current, embedder=torch_embedder).close()


@pytest.fixture(scope="module")
def two_runtime_index(tmp_path_factory, onnx_fp32_embedder, onnx_int8_embedder):
    """One index folder built on fp32 and then on int8: its cache holds both runtimes."""
    index = tmp_path_factory.mktemp("two-runtimes") / "index"
    fp32 = build_index([DATA], index, model=onnx_fp32_embedder)
    int8 = build_index([DATA], index, model=onnx_int8_embedder)
    return index, int8, fp32


@pytest.mark.slow  # two builds (two_runtime_index)
def test_length_batched_build_stores_the_unbatched_vectors(two_runtime_index, onnx_fp32_embedder):
    """The build sorts passages by token length and batches them; the index holds the
    vectors each passage gets when embedded alone."""
    from qa.index.build import index_text

    _index, _int8, fp32 = two_runtime_index
    snap = Snapshot.open(fp32.generation, embedder=onnx_fp32_embedder)
    try:
        stored = dense.vectors(snap.dense_index, np.arange(snap.size))
    finally:
        snap.close()
    corpus = read_sources([DATA])
    docs = {d.id: d for d in corpus.documents}
    texts = [index_text(p, docs[p.doc]) for p in corpus.passages]
    alone = np.vstack([onnx_fp32_embedder.encode_passages([t]) for t in texts])
    assert stored.shape == alone.shape
    assert np.abs(stored - alone).max() <= 1e-5


@pytest.mark.slow  # two builds (two_runtime_index)
def test_the_embedding_cache_keeps_runtimes_apart(
    two_runtime_index, onnx_int8_embedder, onnx_fp32_embedder
):
    embedder = onnx_int8_embedder
    index, int8, fp32 = two_runtime_index
    assert (fp32.reused, int8.reused) == (0, 0)  # int8 found no vectors of its own
    con = sqlite3.connect(IndexLayout(index).cache_dir / CACHE_FILE)
    try:
        keys = {k for (k,) in con.execute("SELECT DISTINCT model FROM vectors")}
        rows = con.execute(
            "SELECT a.vec, b.vec FROM vectors a JOIN vectors b ON a.key = b.key "
            "WHERE a.model = ? AND b.model = ?",
            (embedder.cache_key, onnx_fp32_embedder.cache_key),
        ).fetchall()
    finally:
        con.close()
    assert keys == {embedder.cache_key, onnx_fp32_embedder.cache_key}
    assert len(rows) == int8.passages
    assert any(a != b for a, b in rows)  # int8 and fp32 vectors differ; neither overwrote


@pytest.mark.slow  # two builds (two_runtime_index) and a rebuild
def test_open_or_build_rebuilds_for_the_configured_runtime(two_runtime_index):
    """The int8 index under the default settings (fp32): refused, then rebuilt by
    ``open_or_build`` with fp32 vectors from the cache (runs last: it republishes)."""
    index, _int8, fp32 = two_runtime_index
    with pytest.raises(RuntimeMismatchError):
        Retriever.load(index)
    qa, report = ReportQA.open_or_build(index)
    assert report is not None and report.reused == fp32.passages
    assert qa.retriever.index.snapshot.manifest.model["precision"] == "fp32"
    assert qa.retriever.search("養老床位", k=1)


def test_micro_batcher_gives_each_thread_its_own_vectors(onnx_fp32_embedder):
    """Threads released at once: fewer model calls than callers, and each caller gets the
    vector of its own question (fp32: identical to embedding it alone)."""
    embedder = onnx_fp32_embedder
    questions = [f"{q}（第{i}問）" for i in range(3) for q in QUESTIONS]  # 24 distinct
    alone = {q: embedder.encode_query(q) for q in questions}
    batcher = MicroBatcher(embedder.encode_queries, window_ms=50)
    start = threading.Barrier(len(questions))
    got: dict[str, np.ndarray] = {}
    errors: list[BaseException] = []

    def ask(q: str) -> None:
        try:
            start.wait()
            got[q] = batcher.encode_query(q)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert batcher.batches < len(questions)
    for q in questions:
        assert np.abs(got[q] - alone[q]).max() <= 1e-5, q


def test_micro_batching_on_the_embedder_batches_concurrent_queries(onnx_int8_embedder):
    """The option the bot turns on: ``Embedder.encode_queries`` itself goes through it.
    int8 here: an int8 vector moves slightly with its batch companions (activations are
    quantised per batch), so each caller's rows must be nearest to its own texts alone."""
    embedder = onnx_int8_embedder
    asked = {q: [q, q + "（請引用原文）"] for q in QUESTIONS[:6]}
    texts = [t for pair in asked.values() for t in pair]
    alone = np.vstack([embedder.encode_query(t) for t in texts])
    embedder.enable_micro_batching(window_ms=50)
    try:
        start = threading.Barrier(len(asked))
        out: dict[str, np.ndarray] = {}

        def ask(q: str) -> None:
            start.wait()
            out[q] = embedder.encode_queries(asked[q])

        threads = [threading.Thread(target=ask, args=(q,)) for q in asked]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert embedder.micro_batcher is not None and embedder.micro_batcher.batches < len(asked)
    finally:
        embedder.enable_micro_batching(window_ms=0)
    assert embedder.micro_batcher is None
    got = np.vstack([out[q] for q in asked])
    assert (np.argmax(got @ alone.T, axis=1) == np.arange(len(texts))).all()
    assert _cosines(got, alone).min() >= 0.98


def test_micro_batcher_hands_an_error_to_every_caller_of_the_batch():
    def fail(texts: list[str]) -> np.ndarray:
        raise ModelError(f"cannot embed {len(texts)} texts")

    batcher = MicroBatcher(fail, window_ms=50)
    start = threading.Barrier(4)
    messages: list[str] = []

    def ask(i: int) -> None:
        start.wait()
        try:
            batcher.encode_query(str(i))
        except ModelError as exc:
            messages.append(str(exc))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(messages) == 4  # nobody hangs, nobody gets vectors


def test_other_models_run_on_torch_and_bad_settings_are_clear(monkeypatch):
    from qa.embed import runtime

    assert runtime("some-org/another-model") == ("torch", "fp32")
    with pytest.raises(ModelError, match="ONNX backend runs the bundled model only"):
        Embedder.load("some-org/another-model", backend="onnx")
    monkeypatch.setenv("QA_BACKEND", "tensorflow")
    with pytest.raises(ModelError, match="QA_BACKEND='tensorflow'"):
        runtime()
    monkeypatch.setenv("QA_BACKEND", "torch")
    monkeypatch.setenv("QA_PRECISION", "int8")  # torch is fp32 whatever it says
    assert runtime() == ("torch", "fp32")
