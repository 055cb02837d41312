"""BM25 over folded text (bm25s, Lucene variant), stored as sparse matrices in a folder.

Lexical matching is what dense retrieval of a small multilingual model lacks on
Chinese: exact names, rare terms, numbers. bm25s keeps the index as a CSC matrix of
precomputed term scores, so a query costs a few sparse column sums.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.text import lexical_tokens, tokens_of_folded

K1 = 1.2
B = 0.75
DIRNAME = "lexical"


class LexicalIndex:
    """BM25 scores of a query against every passage."""

    def __init__(self, bm25, size: int) -> None:
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        tokens = [lexical_tokens(t) or [""] for t in texts]
        _quiet_bm25s()
        bm25.index(tokens, show_progress=False)
        return cls(bm25, len(texts))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, *, mmap: bool = False) -> LexicalIndex:
        import bm25s

        _quiet_bm25s()
        bm25 = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(bm25, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is in the index)."""
        ids = self._bm25.get_tokens_ids(lexical_tokens(query))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)

    def weighted_scores(self, terms: list[tuple[str, float]]) -> np.ndarray:
        """Sum of ``weight × BM25(term)`` over terms given as text (e.g. translations)."""
        total = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms:
            total += weight * self.scores(term)
        return total

    def knows(self, folded_term: str) -> bool:
        """True when every bigram of the (folded) term occurs in the index."""
        tokens = [t for t in tokens_of_folded(folded_term) if len(t) >= 2] or tokens_of_folded(
            folded_term
        )
        return bool(tokens) and all(t in self._bm25.vocab_dict for t in tokens)

    def known_share(self, query: str) -> float:
        """Share of the query's terms that occur in the index (0 for an English question
        over a Chinese report): how much lexical evidence the question can have at all."""
        tokens = lexical_tokens(query)
        if not tokens:
            return 0.0
        return len(self._bm25.get_tokens_ids(tokens)) / len(tokens)


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.WARNING)
