"""Why a search ranked what it ranked: ``Retriever.explain``'s score breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qa.retrieve.fusion import QueryStats

Component = Literal["fused", "dense", "lexical", "sentence"]


@dataclass(frozen=True)
class Candidate:
    """One passage that competed in a search, with every score behind its rank.

    ``*_raw`` are the parts as computed (cosine, BM25, best-sentence BM25); the others are
    scaled per query as fusion uses them (see ``qa.retrieve.fusion``); ``fused`` is the sum
    ``dense + lexical_weight × lexical + sentence_weight × sentence``.
    """

    id: str
    row: int
    fused: float
    dense_raw: float
    dense: float
    lexical_raw: float
    lexical: float
    sentence_raw: float
    sentence: float
    is_record: bool


@dataclass(frozen=True)
class Explanation:
    """A search's score breakdown: the query's scales and weights and every candidate,
    best fused score first; ``seconds`` is the time each step took (encode, lexical, dense,
    fusion)."""

    question: str
    #: The question as matched lexically (without words pointing at the document).
    words: str
    #: An English question's Chinese BM25 terms with their weights (``None`` otherwise).
    translated_terms: list[tuple[str, float]] | None
    #: Share of the question that can match the index lexically (after translation).
    lexical_share: float
    stats: QueryStats
    lexical_weight: float
    sentence_weight: float
    candidates: list[Candidate]
    seconds: dict[str, float]

    def ranking(self, by: Component = "fused", k: int = 10) -> list[str]:
        """Passage ids of the ``k`` best candidates by one score (``fused`` is the search's
        own ranking; ``dense``/``lexical``/``sentence`` rank by that part alone — every
        passage the parts rank in their top ``k`` is among the candidates)."""
        if by == "fused":
            return [c.id for c in self.candidates[:k]]
        key = {"dense": "dense_raw", "lexical": "lexical_raw", "sentence": "sentence_raw"}[by]
        ranked = sorted(self.candidates, key=lambda c: (-getattr(c, key), c.row))
        return [c.id for c in ranked[:k]]
