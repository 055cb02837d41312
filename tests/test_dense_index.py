"""The dense FAISS index: type by size, recall, save/load (mmap), row vectors, spec."""

from __future__ import annotations

import json

import numpy as np
import pytest

faiss = pytest.importorskip("faiss")

from qa.index import dense  # noqa: E402
from qa.policy import DEFAULT  # noqa: E402

DIM = 384


def clustered(n: int, n_queries: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors from a Gaussian mixture in a 32-d latent space (as benchmarks/scale.py)."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((DIM, 32)))[0].T.astype(np.float32)
    means = rng.standard_normal((20, 32)).astype(np.float32)

    def draw(m: int) -> np.ndarray:
        z = means[rng.integers(0, 20, m)] + rng.standard_normal((m, 32)).astype(np.float32)
        x = z @ basis + 0.15 * rng.standard_normal((m, DIM)).astype(np.float32)
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    return draw(n), draw(n_queries)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return clustered(5000, 100)


@pytest.fixture(scope="module")
def ivf(data):
    xb, _ = data
    return dense.build(xb, approximate_from=1000)


def test_small_index_is_exact(data):
    xb, xq = data
    index, spec = dense.build(xb[:2000])
    assert spec["type"] == "IndexFlatIP"
    assert spec["approximate_from"] == DEFAULT.index.approximate_from
    scores, rows = dense.search(index, xq, 10)
    truth = np.argsort(-(xq @ xb[:2000].T), axis=1)[:, :10]
    assert (rows == truth).mean() > 0.99  # ties aside, the exact neighbours in order
    np.testing.assert_allclose(scores[:, 0], np.max(xq @ xb[:2000].T, axis=1), rtol=1e-5)


def test_threshold_picks_approximate_index_with_high_recall(data, ivf):
    xb, xq = data
    index, spec = ivf
    assert spec["type"] == "IndexIVFFlat"
    assert spec["nlist"] == dense.choose_nlist(len(xb))
    assert DEFAULT.index.min_nprobe <= spec["nprobe"] <= spec["nlist"]
    assert (
        spec["tuned_recall_at_10"] >= DEFAULT.index.target_recall or spec["nprobe"] == spec["nlist"]
    )
    _, truth = dense.exact_knn(xb, xq, 10)
    _, rows = dense.search(index, xq, 10)
    assert dense.recall_at(rows, truth) >= 0.95
    assert dense.build(xb[:999], approximate_from=1000)[1]["type"] == "IndexFlatIP"


@pytest.mark.parametrize("mmap", [False, True])
@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_save_load_round_trip(tmp_path, data, ivf, kind, mmap):
    xb, xq = data
    index, spec = ivf if kind == "ivf" else dense.build(xb)
    before = dense.search(index, xq, 10)
    path = tmp_path / dense.FILENAME
    dense.save(index, path)
    spec = json.loads(json.dumps(spec))  # as it comes back from manifest.json
    loaded = dense.load(path, spec, mmap=mmap)
    assert loaded.ntotal == len(xb)
    if kind == "ivf":
        assert faiss.extract_index_ivf(loaded).nprobe == spec["nprobe"]
    after = dense.search(loaded, xq, 10)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0], rtol=1e-6)


def test_load_applies_search_parameters_from_spec(tmp_path, ivf):
    index, spec = ivf
    path = tmp_path / dense.FILENAME
    dense.save(index, path)
    for mmap in (False, True):
        loaded = dense.load(path, {**spec, "nprobe": 3}, mmap=mmap)
        assert faiss.extract_index_ivf(loaded).nprobe == 3


@pytest.mark.parametrize("kind", dense.KINDS)
def test_row_vectors_for_every_type(tmp_path, data, kind):
    xb = data[0][:2000]
    index, spec = dense.build(xb, kind=kind, nprobe=8)
    path = tmp_path / dense.FILENAME
    dense.save(index, path)
    rows = np.array([0, 7, 1999, 1234])
    atol = 2e-2 if kind == "ivf_sq8" else 1e-6
    for idx in (index, dense.load(path, spec, mmap=False), dense.load(path, spec, mmap=True)):
        assert idx.ntotal == len(xb)
        np.testing.assert_allclose(dense.vectors(idx, rows), xb[rows], atol=atol)
        np.testing.assert_allclose(idx.reconstruct(7), xb[7], atol=atol)
    assert dense.vectors(index, []).shape == (0, DIM)
    if kind == "hnsw":
        assert spec["efSearch"] == DEFAULT.index.hnsw_ef_search


def test_spec_is_json_serialisable(data, ivf):
    for spec in (
        ivf[1],
        dense.build(data[0][:100])[1],
        dense.build(np.zeros((0, DIM), np.float32))[1],
    ):
        assert json.loads(json.dumps(spec)) == spec
        assert spec["metric"] == "inner_product" and spec["file"] == dense.FILENAME


def test_empty_and_tiny_indexes():
    empty, spec = dense.build(np.zeros((0, DIM), np.float32), approximate_from=0)
    assert spec["type"] == "IndexFlatIP" and empty.ntotal == 0
    xb, xq = clustered(50, 2)
    index, _ = dense.build(xb)
    _, rows = dense.search(index, xq, 100)
    assert rows.shape == (2, 50)


def test_unknown_kind_is_rejected(data):
    with pytest.raises(ValueError):
        dense.build(data[0][:10], kind="lsh")
