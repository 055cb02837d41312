"""How close the fp32 embedding is to what this CPU can do at all: the compute floor of a
query and of an archive build, measured in one run.

    python benchmarks/compute_floor.py [--archive DIR] [--rounds 15]

1. One core's fp32 matrix-multiply peak: numpy's sgemm (OpenBLAS, one thread) on the
   shape of the model's widest layer over a long batch (4096 × 384 by 384 × 1536).
2. The model's arithmetic per token: its linear layers (4·h² + 2·h·f multiply-adds per
   layer and token, h = 384, f = 1536, 12 layers) and attention (2·L·h per layer and token
   for a text of L tokens), two FLOPs per multiply-add.
3. ONNX Runtime fp32 (the default runtime, one intra-op thread) on random token ids of 12,
   16, 24, 48 and 128 tokens, one text at a time: milliseconds per token against the floor
   (the share of the peak it reaches).
4. The archive (``../shared/archive`` unless ``--archive``) as the model reads its passages
   (prompt, title and section included, at most 512 tokens): tokens, FLOPs and the
   shortest a build could embed it on every core of this machine at the peak of step 1.

A query or build target below these floors needs fewer or cheaper operations (a smaller
model, int8 arithmetic), not a better schedule (``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: one core's peak

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))

HIDDEN, FFN, LAYERS = 384, 1536, 12


def sgemm_peak(rounds: int = 5) -> float:
    """FLOP/s of one core's fp32 matrix multiply on the model's widest shape."""
    a = np.random.default_rng(0).random((4096, HIDDEN), dtype=np.float32)
    b = np.random.default_rng(1).random((HIDDEN, FFN), dtype=np.float32)
    a @ b
    best = min(_time(lambda: a @ b) for _ in range(rounds))
    return 2 * 4096 * HIDDEN * FFN / best


def flops(length: int) -> float:
    """FLOPs to embed one text of ``length`` tokens."""
    linear = (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN) * LAYERS
    attention = 2 * length * HIDDEN * LAYERS
    return 2.0 * length * (linear + attention)


def onnx_per_token(lengths: list[int], rounds: int) -> dict[int, float]:
    """Median seconds per token of ONNX Runtime fp32, one thread, one text of each length."""
    from qa import Embedder

    encoder = Embedder.load(backend="onnx", precision="fp32", threads=1).encoder
    session = encoder.session  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    out = {}
    for n in lengths:
        ids = rng.integers(5, 200_000, size=(1, n)).astype(np.int64)
        ids[0, 0], ids[0, -1] = 0, 2
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        session.run(None, feeds)
        out[n] = (
            float(np.median([_time(lambda f=feeds: session.run(None, f)) for _ in range(rounds)]))
            / n
        )
    return out


def archive_tokens(archive: Path) -> np.ndarray:
    """Token count of every passage of the archive as a build embeds it."""
    from qa import Embedder, index_text, read_sources

    corpus = read_sources([archive])
    documents = {d.id: d for d in corpus.documents}
    texts = [index_text(p, documents[p.doc]) for p in corpus.passages]
    embedder = Embedder.load(backend="onnx", precision="fp32", threads=1)
    return np.asarray(embedder.passage_lengths(texts), dtype=np.int64)


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", type=Path, default=SHARED / "archive")
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args()

    peak = sgemm_peak()
    print(f"one core's fp32 sgemm peak (4096×384 · 384×1536): {peak / 1e9:.1f} GFLOP/s")
    print(
        f"\n{'tokens':>7}{'ms per text':>13}{'ms per token':>14}{'floor ms/token':>16}{'of peak':>9}"
    )
    for n, seconds in onnx_per_token([12, 16, 24, 48, 128], args.rounds).items():
        floor = flops(n) / n / peak
        print(
            f"{n:>7}{1000 * seconds * n:>13.1f}{1000 * seconds:>14.2f}{1000 * floor:>16.2f}{floor / seconds:>9.0%}"
        )

    if not args.archive.is_dir():
        print(f"\nno archive at {args.archive}: build floor skipped (set QA_SHARED or --archive)")
        return 0
    lengths = archive_tokens(args.archive)
    total = sum(flops(int(n)) for n in lengths)
    cores = len(os.sched_getaffinity(0))
    print(
        f"\narchive {args.archive}: {len(lengths)} passages, {int(lengths.sum()):,} tokens "
        f"(mean {lengths.mean():.0f}, {int((lengths >= 512).sum())} at the 512 limit)"
    )
    print(
        f"embedding it takes {total / 1e12:.1f} TFLOP: at least {total / (cores * peak):.0f} s "
        f"on {cores} cores at the peak above"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
