"""One index generation loaded for reading: manifest, passages, vectors and BM25.

A ``Snapshot`` never changes once open; a long-lived reader that notices a newer
generation opens a new snapshot and lets the old one finish its queries.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa._version import __version__
from qa.embed import Embedder, runtime
from qa.errors import (
    IndexCorruptError,
    IndexOutdatedError,
    ModelMismatchError,
    RuntimeMismatchError,
)
from qa.index import dense, parts
from qa.index.manifest import Manifest
from qa.index.passages import DOCUMENTS_FORMAT, PassageStore
from qa.index.passages import FILENAME as PASSAGES_FILE
from qa.cedict import ENGLISH_BAG
from qa.lexical import EnglishBagIndex, LexicalIndex, SentenceLexicalIndex
from qa.paths import shown
from qa.policy import DEFAULT, IndexPolicy
from qa.text import FOLDING, TOKENIZER, chinese_script, to_script

if TYPE_CHECKING:
    import faiss

log = logging.getLogger(__name__)

class Snapshot:
    """The parts of one index generation, ready to query."""

    def __init__(
        self,
        path: Path,
        manifest: Manifest,
        store: PassageStore,
        dense_index: faiss.Index,
        lexical: LexicalIndex,
        sentences: SentenceLexicalIndex,
        english: EnglishBagIndex,
        embedder: Embedder,
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.store = store
        self.dense_index = dense_index
        self.lexical = lexical
        self.sentences = sentences
        self.english = english
        self.embedder = embedder
        self.size = store.count
        #: True at the rows of documents' own records (title, source, date), not paragraphs.
        self.is_record = np.zeros(self.size, dtype=bool)
        self.is_record[store.record_rows()] = True
        #: Each document's rows, ``[first, last + 1)`` (a document's rows are contiguous).
        self.document_rows = store.document_rows()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        embedder: Embedder | None = None,
        model: str | None = None,
        policy: IndexPolicy = DEFAULT.index,
    ) -> Snapshot:
        """Open the generation at ``path``.

        ``embedder`` (already loaded) or ``model`` (a name) must be the model that built
        the index; otherwise ``ModelMismatchError``. With neither, the manifest's model is
        loaded. The runtime (backend and precision: the embedder's, else the one
        ``QA_BACKEND`` / ``QA_PRECISION`` give) must be the index's too; otherwise
        ``RuntimeMismatchError``. Past the policy's ``mmap_from`` passages, vectors and BM25
        are memory-mapped.
        """
        # Queries are searched one at a time; set before the model loads, which shares
        # OpenMP with FAISS (see dense.search_one_query_at_a_time).
        dense.search_one_query_at_a_time()
        manifest = Manifest.load(path)
        check_text_matching(path, manifest)
        built_with = manifest.model["name"]
        wanted = embedder.name if embedder is not None else model
        if wanted is not None and wanted != built_with:
            raise ModelMismatchError(
                f"the index at {shown(path.parent)} was built with model {built_with!r}, not "
                f"{wanted!r}; rebuild it with: qa build [PATH ...] --index {shown(path.parent)} "
                f"--model {wanted}"
            )
        _check_runtime(path, manifest, embedder)
        embedder = embedder or Embedder.load(built_with)
        if embedder.dimension != manifest.model["dimension"]:
            raise ModelMismatchError(
                f"model {built_with!r} gives {embedder.dimension}-d vectors, "
                f"index has {manifest.model['dimension']}-d"
            )
        mmap = int(manifest.corpus["passages"]) >= policy.mmap_from
        # Each part is checked against the manifest; a damaged one is named in the error.
        store = parts.open_store(path, int(manifest.corpus["passages"]))
        try:
            dense_index = parts.open_dense(path, manifest, mmap=mmap)
            lexical = parts.open_lexical(path, manifest, mmap=mmap)
            sentences = parts.open_sentences(path, manifest, mmap=mmap)
            english = parts.open_english(path, manifest, mmap=mmap)
            try:
                snapshot = cls(
                    path, manifest, store, dense_index, lexical, sentences, english, embedder
                )
            except (sqlite3.Error, ValueError) as exc:  # documents' rows are read at open
                raise IndexCorruptError.damaged(path / PASSAGES_FILE, str(exc)) from exc
        except BaseException:
            store.close()
            raise
        return snapshot

    @property
    def english_bag_headwords(self) -> tuple[int, int]:
        """Lengths of the CC-CEDICT headwords whose glosses made the passages' English bags
        (the build's ``IndexPolicy.english_bag_headword_chars``, from the manifest)."""
        low, high = self.manifest.lexical["english_headword_chars"]
        return int(low), int(high)

    def encode_query(self, question: str) -> np.ndarray:
        """The question's vector (see ``encode_queries``)."""
        return self.encode_queries([question])[0]

    def encode_queries(self, questions: list[str]) -> np.ndarray:
        """Question vectors. A Chinese question in the other script than the index's is
        embedded converted to the index's script: the encoder scores same-script text
        higher, and a Simplified question against Traditional passages loses dense R@1
        0.772 → 0.724 on drcd-dev (0.948 → 0.914 on cmrc2018-dev the other way round);
        converted, it gets 0.771 back. Lexical matching folds scripts anyway."""
        script = self.manifest.text.get("script")
        if script:
            other = "zh-Hans" if script == "zh-Hant" else "zh-Hant"
            questions = [
                to_script(q, script) if chinese_script(q) == other else q for q in questions
            ]
        return self.embedder.encode_queries(questions)

    def rows_of(self, documents: Iterable[str] | None) -> np.ndarray | None:
        """The rows of ``documents`` (ascending), or ``None`` for every row (no documents
        given, or all of them). Ids the index does not hold are left out."""
        if documents is None:
            return None
        spans = sorted(self.document_rows[d] for d in set(documents) if d in self.document_rows)
        if sum(end - start for start, end in spans) == self.size:
            return None
        if not spans:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(start, end, dtype=np.int64) for start, end in spans])

    def dense_search(
        self, query_vector: np.ndarray, k: int, *, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine scores and rows of the ``k`` nearest passages (rows −1 pad), among
        ``rows`` only when given."""
        scores, found = dense.search(self.dense_index, query_vector[None, :], k, rows=rows)
        return scores[0], found[0]

    def dense_scores(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine score of the query against the passages at ``rows`` (exact)."""
        return dense.vectors(self.dense_index, rows) @ query_vector

    def lexical_scores(self, question: str) -> np.ndarray:
        """BM25 score of every passage."""
        return self.lexical.scores(question)

    def sentence_scores(self, question: str) -> np.ndarray:
        """Best-sentence BM25 score of every passage."""
        return self.sentences.scores(question)

    def english_scores(self, question: str) -> np.ndarray:
        """BM25 score of every passage's English bag for an English question."""
        return self.english.scores(question)

    def close(self) -> None:
        self.store.close()


def check_text_matching(path: Path, manifest: Manifest) -> None:
    """``IndexOutdatedError`` unless the index folds and tokenises text as this version
    does, has every lexical part made as this version makes it (indexes of Report QA 0.1
    lack the sentence index, earlier ones the English bags) and records documents as this
    version does (before format 2, no value's origin)."""
    text, lexical = manifest.text, manifest.lexical
    if (
        text.get("folding") == FOLDING
        and text.get("lexical_tokens") == TOKENIZER
        and text.get("english_bag") == ENGLISH_BAG
        and "sentences_dir" in lexical
        and "english_dir" in lexical
        and manifest.corpus.get("documents_format") == DOCUMENTS_FORMAT
    ):
        return
    raise IndexOutdatedError(
        f"the index at {shown(path.parent)} was built by Report QA {manifest.package_version}, which "
        f"matched text or recorded documents differently from Report QA {__version__}; "
        f"rebuild it with qa build [PATH ...] --index {shown(path.parent)}",
        list(manifest.corpus.get("files", [])),
    )


def _check_runtime(path: Path, manifest: Manifest, embedder: Embedder | None) -> None:
    """``RuntimeMismatchError`` unless queries would be embedded by the runtime that made
    the index's vectors (an index without the fields was built on torch in fp32)."""
    built = (manifest.model.get("backend", "torch"), manifest.model.get("precision", "fp32"))
    if embedder is not None:
        wanted = (embedder.backend, embedder.precision)
    else:
        wanted = runtime(manifest.model["name"])
    if built == wanted:
        return
    raise RuntimeMismatchError(
        f"the index at {shown(path.parent)} was built on {built[0]} {built[1]}, not {wanted[0]} "
        f"{wanted[1]}; rebuild it with qa build [PATH ...] --index {shown(path.parent)}, or "
        f"set QA_BACKEND={built[0]} QA_PRECISION={built[1]}",
        list(manifest.corpus.get("files", [])),
    )
