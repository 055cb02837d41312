"""The FAISS index of passage vectors (inner product = cosine on unit vectors).

Index type by size (policy, measured with ``benchmarks/scale.py``; see the numbers below):

* fewer than ``IndexPolicy.approximate_from`` passages: ``IndexFlatIP`` — exact, nothing to tune.
* from ``IndexPolicy.approximate_from`` on: ``IndexIVFFlat`` (inner product) with
  ``nlist`` ≈ 4·√n rounded to a power of two (1024 at 100k, 4096 at 1M), k-means trained on
  a sample of ≤ 50·nlist vectors, and ``nprobe`` *tuned at build time*: the smallest value of
  ``nprobe_steps`` whose recall@10 against exact search reaches ``target_recall`` on
  ``tune_queries`` passages drawn from the index itself used as queries (the passage
  itself left out of both lists), never below ``min_nprobe``. The inverted lists keep
  the full float32 vectors, so ``reconstruct`` is exact and the index is ≈ 1.01× the raw
  vectors (8-byte ids + an 8-byte direct map per vector + the centroids).
* ``kind="ivf_sq8"`` is the compressed option (8-bit scalar quantised lists, ≈ 0.26× the raw
  vectors; ``reconstruct`` is then approximate to ~1e-3) and ``kind="hnsw"`` an HNSW graph;
  neither is chosen automatically.

Everything goes into the manifest (``spec``): type, metric, parameters (nlist, nprobe,
train size, tuned recall), the threshold in force, the file name. ``load`` applies the
search-time parameter (``nprobe`` / ``efSearch``) from the spec, so a manifest edit retunes
without a rebuild.

Why these choices (``OMP_NUM_THREADS=2 benchmarks/scale.py --sizes 10000 50000 100000
1000000`` on 2 busy shared cores, 384-d unit vectors from a 32-d-latent Gaussian mixture —
see that script's docstring —, single queries, k=10, 300 held-out queries; warm p50/p99):

    n     index                    build   p50 / p99 ms   recall@10  flat p50/p99 ms  size×raw
    10k   IndexFlatIP               0 s     0.89 / 1.15    1.0         0.85 / 2.5       1.00
    50k   IVFFlat 1024, nprobe 48   9 s     0.31 / 0.47    0.982       4.5 / 6.5        1.03
    100k  IVFFlat 1024, nprobe 48  11 s     0.66 / 0.85    0.980      11.5 / 16.3       1.02
    100k  HNSWFlat M=32, ef 64     41 s     0.34 / 0.51    0.976      10.4 / 14.4       1.18
    1M    IVFFlat 4096, nprobe 64 201 s     5.8 / 19.6     0.975     110 / 166          1.015
          (memory-mapped; cold first pass 6.4 / 21.3 ms)

* exact search grows linearly: ~0.9 ms at 10k, ~4.5 ms at 50k, ~11 ms at 100k, ~110 ms at
  1M. Below 50k it costs a few milliseconds and is exact, so approximation buys nothing
  worth a recall loss; from 50k the IVF index is ~15× faster at recall@10 ≈ 0.98 (and the
  retriever rescores its candidates exactly from the stored vectors anyway).
* IVF-Flat meets the 1M goal (p50 5.8 ms, p99 ≤ 20 ms, recall@10 0.975, 1.015× the raw
  vectors) and builds in ~3.5 min on 2 cores. HNSW is ~2× faster per query at 100k at
  similar recall but builds 3.6× slower (extrapolated well past 10 min at 1M here), needs
  1.18× raw memory and its graph cannot be memory-mapped, so IVF is the default.
* nprobe is tuned per build because the needed value depends on the data (48 of 1024 lists
  at 100k, 64 of 4096 at 1M for this generator); the passage-as-query tuning recall
  (≈ 0.97–0.98) matched the held-out-query recall within 0.01 in these runs.
* memory-mapping: with this FAISS (1.15) ``IO_FLAG_MMAP`` maps the inverted lists of IVF
  indexes, while a flat index is only mapped with ``IO_FLAG_MMAP_IFC`` (``IO_FLAG_MMAP``
  alone silently reads it into RAM). ``load(mmap=True)`` uses the flag that works for the
  type and falls back to a plain read if FAISS refuses.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from qa.policy import DEFAULT, IndexPolicy

if TYPE_CHECKING:  # FAISS loads when an index is built, opened or searched
    import faiss

FILENAME = "dense.faiss"

KINDS = ("flat", "ivf", "ivf_sq8", "hnsw")


def _f32(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float32)


def choose_nlist(n: int) -> int:
    """Number of IVF lists for ``n`` vectors: ≈ 4·√n as a power of two, ≥ 39 points a list."""
    target = 4 * math.sqrt(max(n, 1))
    nlist = 2 ** max(0, round(math.log2(target)))
    return int(max(1, min(nlist, n // 39 if n >= 39 else 1)))


def build(
    vectors: np.ndarray,
    *,
    approximate_from: int | None = None,
    kind: str | None = None,
    nlist: int | None = None,
    nprobe: int | None = None,
    target_recall: float | None = None,
    policy: IndexPolicy = DEFAULT.index,
) -> tuple[faiss.Index, dict]:
    """An index over unit-length ``vectors`` and its description for the manifest.

    The type follows the size (exact below ``approximate_from``, default the policy's;
    IVF-Flat from there on) unless ``kind`` names one of :data:`KINDS`. ``nlist``/``nprobe``
    override the IVF defaults (``nprobe`` is otherwise tuned to ``target_recall``, default
    the policy's).
    """
    import faiss

    x = _f32(vectors)
    n, dim = x.shape
    threshold = policy.approximate_from if approximate_from is None else int(approximate_from)
    target_recall = policy.target_recall if target_recall is None else target_recall
    if kind is None:
        kind = "ivf" if n >= threshold and n > 0 else "flat"
    if kind not in KINDS:
        raise ValueError(f"unknown dense index kind {kind!r}; expected one of {KINDS}")
    spec: dict = {"metric": "inner_product", "file": FILENAME, "approximate_from": threshold}
    if kind == "flat" or n == 0:
        flat = faiss.IndexFlatIP(dim)
        if n:
            flat.add(x)
        return flat, {"type": "IndexFlatIP", **spec}
    params: dict[str, object]
    if kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, policy.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = policy.hnsw_ef_construction
        hnsw.add(x)
        hnsw.hnsw.efSearch = policy.hnsw_ef_search
        params = {
            "M": policy.hnsw_m,
            "efConstruction": policy.hnsw_ef_construction,
            "efSearch": policy.hnsw_ef_search,
        }
        return hnsw, {"type": "IndexHNSWFlat", **spec, **params}

    nlist = int(nlist or choose_nlist(n))
    quantizer = faiss.IndexFlatIP(dim)
    index: faiss.IndexIVF
    if kind == "ivf_sq8":
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        type_name = "IndexIVFScalarQuantizer"
    else:
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        type_name = "IndexIVFFlat"
    # A C char: faiss's stubs type it str (SWIG reads it back as '\x00'), SWIG also takes an int.
    index.quantizer_trains_alone = 0  # type: ignore[assignment]
    rng = np.random.default_rng(0)
    train_n = min(n, policy.train_per_list * nlist)
    sample = x if train_n == n else x[np.sort(rng.choice(n, train_n, replace=False))]
    index.cp.max_points_per_centroid = policy.train_per_list + 1  # no further subsampling
    index.cp.seed = 1234
    index.train(sample)
    del sample
    index.add(x)
    index.make_direct_map()  # reconstruct(row) for Snapshot.dense_scores
    tuned_recall = None
    if nprobe is None:
        nprobe, tuned_recall = _tune_nprobe(index, x, target_recall, rng, policy)
    index.nprobe = int(min(nprobe, nlist))
    params = {
        "nlist": nlist,
        "nprobe": int(index.nprobe),
        "train_size": int(train_n),
        "target_recall": target_recall,
        "tuned_recall_at_10": tuned_recall,
    }
    return index, {"type": type_name, **spec, **params}


def exact_knn(xb: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-``k`` of ``queries`` over ``xb`` without copying ``xb``."""
    import faiss

    return faiss.knn(_f32(queries), _f32(xb), int(k), metric=faiss.METRIC_INNER_PRODUCT)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean fraction of each ``truth`` row present in the matching ``found`` row."""
    hits = [
        len(set(f[f >= 0].tolist()) & set(t[t >= 0].tolist()))
        for f, t in zip(found, truth, strict=True)
    ]
    return float(np.sum(hits) / max(1, np.sum(truth >= 0)))


def _tune_nprobe(
    index: faiss.IndexIVF,
    x: np.ndarray,
    target: float,
    rng: np.random.Generator,
    policy: IndexPolicy,
) -> tuple[int, float]:
    """Smallest ``nprobe`` of the policy's steps (≥ ``min_nprobe``) reaching ``target``
    recall@10."""
    n, k = len(x), 10
    rows = np.sort(rng.choice(n, min(policy.tune_queries, n), replace=False))
    queries = x[rows]
    _, truth = exact_knn(x, queries, k + 1)
    truth = _drop_self(truth, rows, k)
    best, recall = index.nlist, 1.0
    for step in policy.nprobe_steps:
        if step < policy.min_nprobe and index.nlist >= policy.min_nprobe:
            continue
        step = min(step, index.nlist)
        index.nprobe = step
        _, found = index.search(queries, k + 1)
        recall = recall_at(_drop_self(found, rows, k), truth)
        if recall >= target or step >= index.nlist:
            best = step
            break
    return int(best), round(recall, 4)


def _drop_self(found: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    out = np.full((len(rows), k), -1, dtype=np.int64)
    for i, (f, r) in enumerate(zip(found, rows, strict=True)):
        keep = f[f != r][:k]
        out[i, : len(keep)] = keep
    return out


def save(index: faiss.Index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def _mmap_flags(spec: dict) -> int:
    import faiss

    kind = str(spec.get("type", ""))
    if kind.startswith("IndexIVF"):
        return faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY
    # flat codes (IndexFlat, HNSW storage) are only mapped by the "in-flat-codes" flag
    return faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY


def search_one_query_at_a_time() -> None:
    """One query at a time is searched; FAISS's OpenMP threads then only fight each other
    (measured: exact search over 100k vectors 14 ms with 1 thread, 60 ms with 2 on a busy
    2-core machine). Process-wide, so a serving process keeps its cores for the model."""
    import faiss

    faiss.omp_set_num_threads(1)


def load(path: Path, spec: dict, *, mmap: bool = False) -> faiss.Index:
    """The index at ``path``, memory-mapped when ``mmap`` and FAISS supports it for the type,
    with the spec's search-time parameters (``nprobe``, ``efSearch``) applied."""
    import faiss

    index = None
    if mmap:
        try:
            index = faiss.read_index(str(path), _mmap_flags(spec))
        except RuntimeError:
            index = None  # this type/version cannot map it: read it instead
    if index is None:
        index = faiss.read_index(str(path))
    apply_search_params(index, spec)
    return index


def apply_search_params(index: faiss.Index, spec: dict) -> None:
    """Set ``nprobe`` / ``efSearch`` from ``spec`` on ``index`` (no-op for flat)."""
    import faiss

    if "nprobe" in spec:
        ivf = faiss.try_extract_index_ivf(index)
        if ivf is not None:
            ivf.nprobe = int(spec["nprobe"])
            # DirectMap is missing from faiss's stubs (they type direct_map as Any).
            if ivf.direct_map.type == faiss.DirectMap.NoMap:  # type: ignore[attr-defined]
                ivf.make_direct_map()  # only reads the lists: fine when mapped
    if "efSearch" in spec and hasattr(index, "hnsw"):
        index.hnsw.efSearch = int(spec["efSearch"])


def vectors(index: faiss.Index, rows: npt.ArrayLike) -> np.ndarray:
    """The stored vectors of ``rows`` (exact for flat, IVF-Flat and HNSW indexes)."""
    rows = np.asarray(rows, dtype=np.int64).ravel()
    if not len(rows):
        return np.zeros((0, index.d), dtype=np.float32)
    return np.vstack([index.reconstruct(int(r)) for r in rows])


def search(
    index: faiss.Index, queries: np.ndarray, k: int, *, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the ``k`` nearest passages for each query row; rows −1 pad.

    ``rows`` (ascending) restricts the search to those passages *before* ranking, with a
    FAISS ID selector (a range when they are contiguous, as one document's rows are), so
    that the ``k`` nearest are the ``k`` nearest among them; the index's own search-time
    parameters (``nprobe``, ``efSearch``) still apply.
    """
    k = max(1, min(k, index.ntotal))
    if rows is None:
        return index.search(_f32(queries), k)
    import faiss

    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        n = len(queries)
        return np.zeros((n, k), dtype=np.float32), np.full((n, k), -1, dtype=np.int64)
    selector: faiss.IDSelector
    if rows[-1] - rows[0] + 1 == len(rows):
        selector = faiss.IDSelectorRange(int(rows[0]), int(rows[-1]) + 1)
    else:
        selector = faiss.IDSelectorBatch(rows)
    ivf = faiss.try_extract_index_ivf(index)
    # faiss's stubs lack the keyword constructors its Python layer gives every
    # SearchParameters class, and SearchParametersHNSW.
    params: faiss.SearchParameters
    if ivf is not None:
        params = faiss.SearchParametersIVF(sel=selector, nprobe=int(ivf.nprobe))  # type: ignore[call-arg]
    elif hasattr(index, "hnsw"):
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=int(index.hnsw.efSearch))  # type: ignore[attr-defined]
    else:
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    scores, found = index.search(_f32(queries), k, params=params)
    del selector  # kept alive until the search is done (params holds a raw pointer)
    return scores, found
