"""BM25 over folded text (bm25s, Lucene variant), stored as sparse matrices in a folder.

Lexical matching is what dense retrieval of a small multilingual model lacks on
Chinese: exact names, rare terms, numbers. bm25s keeps the index as a CSC matrix of
precomputed term scores, so a query costs a few sparse column sums.

Three indexes are kept: one over whole passages (``LexicalIndex``), one over their
sentences (``SentenceLexicalIndex``), which scores a passage by its best sentence, and one
over each passage's English bag (``EnglishBagIndex``), for English questions. A
question is usually answered by one sentence, and a long paragraph that matches the
question's words all in one place is a better bet than one that matches them scattered
over ten sentences; passage BM25 cannot tell the two apart (see ``qa.retrieve.fusion``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa import cedict
from qa.policy import DEFAULT, IndexPolicy
from qa.text import fold, lexical_tokens, tokens_of_folded

if TYPE_CHECKING:
    import bm25s

DIRNAME = "lexical"
SENTENCES_DIRNAME = "lexical-sentences"
ENGLISH_DIRNAME = "lexical-english"
_BOUNDS = "passage_sentences.npy"  # first sentence of each passage, then the total


class LexicalIndex:
    """BM25 scores of a query against every passage."""

    def __init__(self, bm25: bm25s.BM25, size: int) -> None:
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str], *, policy: IndexPolicy = DEFAULT.index) -> LexicalIndex:
        """BM25 over ``texts`` with the policy's ``bm25_k1`` and ``bm25_b``."""
        return cls.of_tokens([lexical_tokens(t) for t in texts], policy=policy)

    @classmethod
    def of_tokens(
        cls, tokens: Sequence[Sequence[str]], *, policy: IndexPolicy = DEFAULT.index
    ) -> LexicalIndex:
        """BM25 over documents given as their terms (a document without any is kept empty)."""
        import bm25s

        bm25 = bm25s.BM25(k1=policy.bm25_k1, b=policy.bm25_b, method="lucene")
        _quiet_bm25s()
        bm25.index([list(t) or [""] for t in tokens], show_progress=False)
        return cls(bm25, len(tokens))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, *, mmap: bool = False) -> LexicalIndex:
        import bm25s

        _quiet_bm25s()
        bm25 = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(bm25, size)

    def stored_documents(self) -> int:
        """How many documents the stored BM25 matrices hold (checked against the manifest
        at open); ``ValueError`` when the matrices disagree with each other."""
        scores = self._bm25.scores
        data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
        if len(data) != len(indices) or (len(indptr) and int(indptr[-1]) != len(data)):
            raise ValueError(
                f"BM25 matrices disagree: {len(data)} scores, {len(indices)} document "
                f"numbers, {int(indptr[-1]) if len(indptr) else 0} in the column pointers"
            )
        return int(scores["num_docs"])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is in the index)."""
        return self.term_scores(lexical_tokens(query))

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for a query given as its terms."""
        ids = self._bm25.get_tokens_ids(list(terms))
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

    def known_bigram_share(self, query: str) -> float:
        """Share of the query's two-character terms that occur in the index: unlike single
        characters, which any Chinese text shares with any other, a shared bigram is
        evidence that the question is about what the reports are about."""
        bigrams = [t for t in lexical_tokens(query) if len(t) >= 2]
        if not bigrams:
            return 0.0
        vocab = self._bm25.vocab_dict
        return sum(t in vocab for t in bigrams) / len(bigrams)


class SentenceLexicalIndex:
    """BM25 over sentences; a passage scores as its best sentence.

    Sentences of a passage are stored contiguously, so ``bounds[i]`` (the first sentence
    of passage ``i``) turns sentence scores into passage maxima with one ``reduceat``;
    ``bounds[-1]`` is the number of sentences.
    """

    def __init__(self, units: LexicalIndex, bounds: np.ndarray) -> None:
        self._units = units
        self._bounds = bounds
        self.size = len(bounds) - 1

    @classmethod
    def build(
        cls, sentences: Sequence[Sequence[str]], *, policy: IndexPolicy = DEFAULT.index
    ) -> SentenceLexicalIndex:
        """From the sentences of each passage (every passage needs at least one)."""
        if any(not s for s in sentences):
            raise ValueError("every passage needs at least one sentence")
        counts = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        units = LexicalIndex.build([u for s in sentences for u in s], policy=policy)
        return cls(units, bounds)

    def save(self, folder: Path) -> None:
        self._units.save(folder)
        np.save(folder / _BOUNDS, self._bounds)

    @classmethod
    def load(cls, folder: Path, size: int, *, mmap: bool = False) -> SentenceLexicalIndex:
        bounds = np.load(folder / _BOUNDS)
        if bounds.ndim != 1 or len(bounds) != size + 1:
            raise ValueError(f"{folder}: sentences of {len(bounds) - 1} passages, expected {size}")
        if len(bounds) > 1 and (bounds[0] != 0 or np.any(np.diff(bounds) < 1)):
            raise ValueError(f"{folder}: passage sentence bounds are not increasing")
        return cls(LexicalIndex.load(folder, int(bounds[-1]), mmap=mmap), bounds)

    @property
    def units(self) -> LexicalIndex:
        """The BM25 index of the sentences themselves."""
        return self._units

    @property
    def sentence_count(self) -> int:
        """How many sentences the bounds say there are."""
        return int(self._bounds[-1])

    def scores(self, query: str) -> np.ndarray:
        """Best-sentence BM25 score of every passage."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        return np.maximum.reduceat(self._units.scores(query), self._bounds[:-1])


class EnglishBagIndex:
    """BM25 over each passage's *English bag*: the English words of the CC-CEDICT headwords
    found in it (``qa.cedict.english_bag``), matched with an English question's own words,
    lemmatised. This is document-side translation: the passage side carries every sense of
    its words, so nothing depends on translating each question word right (the query side,
    ``qa.retrieve.crosslingual``, does that). Built in well under a second per thousand
    passages once the dictionary is read; a query costs one sparse column sum."""

    def __init__(self, units: LexicalIndex) -> None:
        self._units = units
        self.size = units.size

    @classmethod
    def build(cls, texts: Sequence[str], *, policy: IndexPolicy = DEFAULT.index) -> EnglishBagIndex:
        """The bags of ``texts`` (folded here), indexed with the policy's BM25 parameters."""
        table = cedict.headwords(*policy.english_bag_headword_chars)
        bags = [cedict.english_bag(f, table) for f in _fold_all(texts)]
        return cls(LexicalIndex.of_tokens(bags, policy=policy))

    def save(self, folder: Path) -> None:
        self._units.save(folder)

    @classmethod
    def load(cls, folder: Path, size: int, *, mmap: bool = False) -> EnglishBagIndex:
        return cls(LexicalIndex.load(folder, size, mmap=mmap))

    def stored_documents(self) -> int:
        return self._units.stored_documents()

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every passage's bag for an English question's content words."""
        return self._units.term_scores(cedict.english_words(question))


_FOLD_CHUNK = 500
_SEPARATOR = "\n\x00\n"


def _fold_all(texts: Sequence[str]) -> list[str]:
    """``fold`` of each text, a chunk of texts per OpenCC call (a call per text costs more
    than the conversion itself)."""
    out: list[str] = []
    for start in range(0, len(texts), _FOLD_CHUNK):
        chunk = texts[start : start + _FOLD_CHUNK]
        folded = fold(_SEPARATOR.join(chunk)).split(_SEPARATOR)
        out.extend(folded if len(folded) == len(chunk) else [fold(t) for t in chunk])
    return out


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.WARNING)
