"""How dense and lexical evidence are combined into one ranking.

The two parts fail in opposite places. On Chinese reading-comprehension sets (DRCD,
CMRC 2018) questions reuse the paragraph's words, and BM25 on character n-grams is far
ahead of a small multilingual encoder; on the bundled report, questions paraphrase, come
in English (BM25 then scores nothing) or in the other script, and dense retrieval leads.
Reciprocal-rank fusion throws the scores away and, measured on drcd-dev, ends below BM25
alone (R@1 0.884 vs 0.949). So we fuse *scores*, normalised per query:

* lexical: BM25 divided by the query's best BM25 score (1 for the best passage; a
  question with a decisive lexical match keeps a large gap);
* dense: cosine, min–max scaled over the candidates (cosines of this model are bunched
  in 0.75–0.9, so raw values carry little spread);
* the lexical weight is scaled by how much of the question can match lexically at all
  (share of its terms present in the index): an English question over a Chinese report
  gets ≈ 0 and is ranked by the dense part alone.

The weights were chosen on drcd-dev, cmrc2018-dev and the report's dev questions
together (see benchmarks/quality.py), not on any single question.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score (see the module docstring for the why)."""

    lexical: float = 0.3
    dense: float = 0.7


def normalise_lexical(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def normalise_dense(scores: np.ndarray) -> np.ndarray:
    if not scores.size:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores)


def fuse(
    dense: np.ndarray,
    lexical: np.ndarray,
    *,
    lexical_share: float,
    weights: FusionWeights = FusionWeights(),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fused scores of candidates given their raw dense cosines and BM25 scores.

    Returns (fused, normalised dense, normalised lexical), aligned with the inputs.
    """
    d = normalise_dense(dense.astype(np.float64))
    lex = normalise_lexical(lexical.astype(np.float64))
    w_lex = weights.lexical * lexical_share
    fused = weights.dense * d + w_lex * lex
    return fused, d, lex
