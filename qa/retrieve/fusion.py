"""How dense and lexical evidence are combined into one ranking.

The two parts fail in opposite places. On the Chinese reading-comprehension sets (DRCD,
CMRC 2018) questions were written looking at the paragraph and reuse its words: BM25 on
character n-grams reaches R@1 0.950 / 0.972 while the small multilingual encoder reaches
0.772 / 0.947. On the bundled report questions paraphrase, come in English (BM25 scores
nothing) or in the other script, and dense retrieval leads. Reciprocal-rank fusion
throws the scores away and, measured on drcd-dev, ends below BM25 alone (0.880 vs 0.950).
So we fuse *scores*, normalised per query so that neither part's scale matters:

* dense: ``(cos − cos₅₀) / (cos₁ − cos₅₀)`` — 1 for the best passage, 0 for the 51st. The
  model's cosines are bunched (0.75–0.9), so only their spread near the top carries
  information; the 51st best is a reference that does not depend on k.
* lexical: BM25 divided by the query's best BM25 score.
* the lexical weight is **query-aware**: ``share × (0.6 + 16 × gap)`` where ``share`` is
  how much of the question can match the index at all (≈ 0 for an English question with
  no translatable words) and ``gap = (bm25₁ − bm25₂) / bm25₁`` is BM25's own confidence —
  when one paragraph clearly wins on words (typical of questions that copy the text),
  BM25 decides; when BM25 is flat (paraphrases), the encoder does. English questions use
  dictionary-translated terms (see ``crosslingual``), whose margins are not reliable, so
  they get a fixed weight of 1.

Chosen on drcd-dev, cmrc2018-dev and the report's dev questions together (grid over the
reference rank, base weight and gap factor; ``benchmarks/quality.py`` prints the result):
R@1 0.950 / 0.985 vs BM25 0.950 / 0.972 and dense 0.772 / 0.947; on the report's dev
questions hit@1 0.88 vs 0.79 for BM25 and 0.76 for dense alone. A larger gap factor gains
at most 0.003 on drcd-dev and loses on CMRC and the report; only 1.6% of drcd-dev queries
are ones BM25 gets wrong and the encoder right, which bounds what any fusion can add there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rank (0-based) of the dense score used as the zero point of the dense scale.
DENSE_REFERENCE_RANK = 50


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score (see the module docstring for the why)."""

    lexical_base: float = 0.6
    lexical_gap: float = 16.0
    translated: float = 1.0


@dataclass(frozen=True)
class QueryStats:
    """Per-query statistics over the whole index that fix the two scales."""

    dense_top: float
    dense_reference: float
    lexical_top: float
    lexical_gap: float
    lexical_share: float
    translated: bool

    @classmethod
    def of(
        cls, dense_sorted: np.ndarray, lexical_all: np.ndarray, *, share: float, translated: bool
    ) -> QueryStats:
        """From the dense scores of the top candidates (sorted, best first) and the BM25
        score of every passage."""
        ref = (
            dense_sorted[min(DENSE_REFERENCE_RANK, len(dense_sorted) - 1)]
            if len(dense_sorted)
            else 0.0
        )
        if lexical_all.size >= 2:
            top2 = np.partition(lexical_all, lexical_all.size - 2)[-2:]
            second, top = float(top2[0]), float(top2[1])
        else:
            top, second = float(lexical_all.max(initial=0.0)), 0.0
        gap = (top - second) / top if top > 0 else 0.0
        return cls(
            dense_top=float(dense_sorted[0]) if len(dense_sorted) else 0.0,
            dense_reference=float(ref),
            lexical_top=top,
            lexical_gap=gap,
            lexical_share=share,
            translated=translated,
        )


def lexical_weight(stats: QueryStats, weights: FusionWeights) -> float:
    if stats.translated:
        return weights.translated * stats.lexical_share
    return (weights.lexical_base + weights.lexical_gap * stats.lexical_gap) * stats.lexical_share


def fuse(
    dense: np.ndarray,
    lexical: np.ndarray,
    stats: QueryStats,
    weights: FusionWeights = FusionWeights(),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fused scores of candidates from their raw cosines and BM25 scores.

    Returns (fused, normalised dense, normalised lexical), aligned with the inputs.
    """
    spread = stats.dense_top - stats.dense_reference
    d = (dense.astype(np.float64) - stats.dense_reference) / (spread if spread > 1e-9 else 1.0)
    lex = (
        lexical.astype(np.float64) / stats.lexical_top
        if stats.lexical_top > 0
        else np.zeros(len(lexical))
    )
    return d + lexical_weight(stats, weights) * lex, d, lex
