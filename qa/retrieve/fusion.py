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
* lexical: BM25 divided by the query's best BM25 score, with a **query-aware** weight
  ``share² × (0.6 + 8 × gap)``. ``share`` is how much of the question can match the
  index at all: ≈ 0 for an English question with no translatable words, 0.86–0.97 (10th
  to 75th percentile) for the reading-comprehension questions, written looking at the
  paragraph, and 0.5–0.8 for the report's dev questions, which paraphrase. Squared, it
  keeps most of the weight for questions that copy the text and hands paraphrases to
  the encoder (linear share: report dev hit@1 0.85 instead of 0.88; cubed: the same on
  the report, drcd-dev 0.002 lower).
  ``gap = (bm25₁ − bm25₂) / bm25₁`` is BM25's own confidence — when one paragraph
  clearly wins on words, BM25 decides; when BM25 is flat, the encoder does.
* best sentence: the BM25 score of the passage's best-matching *sentence*, divided by
  the query's best, weighted ``2 × share²``. A question is answered by one sentence; a
  long paragraph that holds all the question's words in one sentence beats one that
  scatters them, which passage BM25 cannot see. This is what lifts drcd-dev (449-character
  paragraphs) from 0.950 to 0.96: of the questions fused passage scores got wrong, it
  fixes about a quarter and breaks few.
* a document's *record* (its title, source and date, labelled in three languages so
  that "where was this published" finds it) is close to any question about "the report":
  for 3 of the 34 answerable dev questions it is the encoder's nearest passage. So the
  dense scale (``cos₁``, ``cos₅₀``) is taken over paragraphs only, and a record's dense
  score is capped at the best paragraph's — it wins on words (來源, 報紙, published),
  not on being generic. Letting it set the scale squeezed the paragraphs' spread, so that
  BM25 outvoted the encoder: report dev hit@1 0.882 → 0.912 with the paragraph scale
  (one question, the only English miss); the benchmark sets have no records.
* English questions use dictionary evidence (see ``crosslingual``): the translated
  terms' BM25 and the English bags' BM25, each scaled by its best and summed. Their
  margins are not reliable, so the lexical weight is fixed (``translated`` × share) and
  there is no best-sentence term (one stray gloss in one sentence would decide; it cost 1
  of the 8 English dev questions). Their cosines are z-scored over the candidate
  paragraphs instead of scaled between the best and the 51st: cross-lingual cosines are
  flatter near the top, where one stray cosine set the whole best/51st spread
  (xquad-en-zh-dev English R@1 0.849 scaled, 0.883 z-scored, with the lexical weight
  raised to match the wider scale).

Chosen on drcd-dev, cmrc2018-dev and the report's dev questions together (grid over the
base weight, gap factor, share power and sentence weight; ``benchmarks/quality.py``
prints the result): R@1 0.963 / 0.990 vs BM25 0.951 / 0.973 and dense 0.772 / 0.947, and
the same with every question converted to the other script. On the report's dev
questions hit@1 is 0.91 (BM25 alone 0.79, dense alone 0.71); its misses are two
paraphrases that share almost no words with the text and one two-paragraph question.
Embedding every sentence (dense best-sentence) was also measured: it adds ~0.005 on
drcd-dev but loses English and Simplified-Chinese report questions and doubles the
build's embedding work, so it is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from qa.policy import DEFAULT, FusionWeights


@dataclass(frozen=True)
class QueryStats:
    """Per-query statistics over the whole index that fix the two scales."""

    dense_top: float
    dense_reference: float
    lexical_top: float
    lexical_gap: float
    sentence_top: float
    lexical_share: float
    translated: bool
    #: "scale" (best paragraph 1, reference rank 0) or "z" (z-score over the candidate
    #: paragraphs, with their ``dense_mean`` and ``dense_std``): see the module docstring.
    dense_norm: Literal["z", "scale"] = "scale"
    dense_mean: float = 0.0
    dense_std: float = 1.0

    @classmethod
    def of(
        cls,
        dense_sorted: np.ndarray,
        lexical_all: np.ndarray,
        sentence_all: np.ndarray,
        *,
        share: float,
        translated: bool,
        records: np.ndarray | None = None,
        reference_rank: int = DEFAULT.retrieval.fusion.dense_reference_rank,
        candidates: np.ndarray | None = None,
    ) -> QueryStats:
        """From the dense scores of the top candidates (sorted, best first) and the BM25
        and best-sentence BM25 scores of every passage. ``records`` marks which of those
        candidates are documents' records: the dense scale is taken over the others.
        ``reference_rank`` (0-based) is the dense score that is the scale's zero. With
        ``candidates`` (the raw cosines of every candidate paragraph to be fused), the
        dense scores are z-scored over them instead."""
        if records is not None and not records.all():
            dense_sorted = dense_sorted[~records]
        ref = dense_sorted[min(reference_rank, len(dense_sorted) - 1)] if len(dense_sorted) else 0.0
        if lexical_all.size >= 2:
            top2 = np.partition(lexical_all, lexical_all.size - 2)[-2:]
            second, top = float(top2[0]), float(top2[1])
        else:
            top, second = float(lexical_all.max(initial=0.0)), 0.0
        gap = (top - second) / top if top > 0 else 0.0
        z = candidates is not None and len(candidates) > 0
        std = float(np.std(candidates)) if z and candidates is not None else 1.0
        return cls(
            dense_top=float(dense_sorted[0]) if len(dense_sorted) else 0.0,
            dense_reference=float(ref),
            lexical_top=top,
            lexical_gap=gap,
            sentence_top=float(sentence_all.max(initial=0.0)),
            lexical_share=share,
            translated=translated,
            dense_norm="z" if z else "scale",
            dense_mean=float(np.mean(candidates)) if z and candidates is not None else 0.0,
            dense_std=std if std > 1e-9 else 1.0,
        )


def lexical_weight(stats: QueryStats, weights: FusionWeights) -> float:
    """The weight of the scaled BM25 score for this query (see the module docstring)."""
    if stats.translated:
        return weights.translated * stats.lexical_share
    coverage = stats.lexical_share**weights.share_power
    return (weights.lexical_base + weights.lexical_gap * stats.lexical_gap) * coverage


def sentence_weight(stats: QueryStats, weights: FusionWeights) -> float:
    """The weight of the scaled best-sentence BM25 score for this query."""
    if stats.translated:
        return 0.0
    return weights.sentence * stats.lexical_share**weights.share_power


def _scaled(scores: np.ndarray, top: float) -> np.ndarray:
    return scores.astype(np.float64) / top if top > 0 else np.zeros(len(scores))


def fuse(
    dense: np.ndarray,
    lexical: np.ndarray,
    sentence: np.ndarray,
    stats: QueryStats,
    weights: FusionWeights = DEFAULT.retrieval.fusion,
    records: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fused scores of candidates from their raw cosines, BM25 and best-sentence BM25.

    ``records`` marks the candidates that are documents' records rather than paragraphs:
    their dense score is capped at the best paragraph's (see the module docstring).
    Returns (fused, scaled dense, scaled BM25, scaled best-sentence BM25), aligned with
    the inputs.
    """
    if stats.dense_norm == "z":
        d = (dense.astype(np.float64) - stats.dense_mean) / stats.dense_std
        cap = (stats.dense_top - stats.dense_mean) / stats.dense_std
    else:
        spread = stats.dense_top - stats.dense_reference
        d = (dense.astype(np.float64) - stats.dense_reference) / (spread if spread > 1e-9 else 1.0)
        cap = 1.0
    if records is not None:
        d = np.where(records, np.minimum(d, cap), d)
    lex = _scaled(lexical, stats.lexical_top)
    best = _scaled(sentence, stats.sentence_top)
    fused = d + lexical_weight(stats, weights) * lex + sentence_weight(stats, weights) * best
    return fused, d, lex, best
