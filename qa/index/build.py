"""Build an index generation: read sources, embed (reusing cached vectors), store, validate,
switch. Data flows one way: corpus → embed → (dense, lexical, passages) → manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import __version__, config
from qa.corpus import Corpus, Skipped, read_sources
from qa.documents import Document, Passage
from qa.embed import DEFAULT_BATCH_SIZE, Embedder
from qa.errors import IndexCorruptError
from qa.index import dense, passages
from qa.index.cache import EmbeddingCache, text_key
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from qa.lexical import B, DIRNAME, K1, SENTENCES_DIRNAME, LexicalIndex, SentenceLexicalIndex
from qa.sentences import split_sentences
from qa.text import FOLDING, TOKENIZER, chinese_script

log = logging.getLogger(__name__)

#: What is embedded and BM25-indexed for a passage: its document title and section heading
#: give a paragraph its context (the quote shown is always the passage text alone).
INDEX_TEXT = "title + section + text"

Progress = Callable[[int, int], None]


def index_text(passage: Passage, doc: Document) -> str:
    """The text embedded and indexed for ``passage`` (quotes never use it)."""
    if passage.kind == "metadata":
        return "\n".join(x for x in (doc.labelled_fields(), passage.text) if x)
    return "\n".join([*_head(passage, doc), passage.text])


def sentence_texts(passage: Passage, doc: Document) -> list[str]:
    """The units of the best-sentence BM25 index for ``passage``: each sentence with the
    passage's title and section (the metadata record stays whole)."""
    spans = split_sentences(passage.text) if passage.kind == "text" else []
    if not spans:
        return [index_text(passage, doc)]
    head = _head(passage, doc)
    return ["\n".join([*head, passage.text[a:b]]) for a, b in spans]


#: Characters of passage text read to decide the corpus's script.
SCRIPT_SAMPLE_CHARS = 500_000


def corpus_script(passages: Sequence[Passage]) -> str | None:
    """"zh-Hant" or "zh-Hans" when the passages are mostly in that script (read from an
    evenly spread sample), else ``None`` (English, or reports in both scripts)."""
    total = sum(len(p.text) for p in passages)
    step = max(1, round(total / SCRIPT_SAMPLE_CHARS))
    return chinese_script("\n".join(p.text for p in passages[::step]))


def _head(passage: Passage, doc: Document) -> list[str]:
    return [h for h in (passage.title or doc.title, passage.section) if h]


@dataclass
class BuildReport:
    """What a build did (the CLI prints it; the manifest keeps it)."""

    index_dir: Path
    generation: Path
    model: str
    documents: int
    passages: int
    embedded: int
    reused: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _corpus_hash(texts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def _embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    progress: Progress | None,
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts``, embedding only those not in ``cache``; returns (vectors, reused).

    The texts to embed go shortest first (by tokens), so each chunk's batches pad little;
    each chunk is committed to the cache as it is done, so an interrupted build keeps its
    work."""
    keys = [text_key(t) for t in texts]
    cached = cache.get(sorted(set(keys)))
    todo = sorted({k: i for i, k in enumerate(keys) if k not in cached}.values())
    if len(todo) > 1:
        lengths = embedder.passage_lengths([texts[i] for i in todo])
        todo = [todo[j] for j in np.argsort(lengths, kind="stable")]
    done = len(texts) - len(todo)
    if progress:
        progress(done, len(texts))
    chunk = max(256, DEFAULT_BATCH_SIZE * embedder.build_workers * 4)
    for start in range(0, len(todo), chunk):
        rows = todo[start : start + chunk]
        vecs = embedder.encode_passages([texts[i] for i in rows])
        cache.put([keys[i] for i in rows], vecs)
        cached.update({keys[i]: v for i, v in zip(rows, vecs)})
        done += len(rows)
        if progress:
            progress(min(done, len(texts)), len(texts))
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = cached[k]
    return out, len(texts) - len(todo)


def write_generation(
    workdir: Path,
    corpus: Corpus,
    embedder: Embedder,
    vectors: np.ndarray,
    texts: Sequence[str],
    sentences: Sequence[Sequence[str]],
    build_info: dict,
) -> Manifest:
    """Write passages, vectors, BM25 (of ``texts``, and of each passage's ``sentences``)
    and the manifest into ``workdir``."""
    passages.write(workdir / passages.FILENAME, corpus.documents, corpus.passages)
    index, spec = dense.build(vectors)
    dense.save(index, workdir / dense.FILENAME)
    LexicalIndex.build(texts).save(workdir / DIRNAME)
    SentenceLexicalIndex.build(sentences).save(workdir / SENTENCES_DIRNAME)
    manifest = Manifest(
        package_version=__version__,
        built_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        model={
            "name": embedder.name,
            "description": embedder.description,
            "dimension": embedder.dimension,
            "prompts": embedder.prompts,
            "max_seq_length": embedder.max_seq_length,
            # Vectors of one runtime are not searched with another's (Snapshot.open).
            "backend": embedder.backend,
            "precision": embedder.precision,
        },
        text={
            "folding": FOLDING,
            "lexical_tokens": TOKENIZER,
            "embedded_text": INDEX_TEXT,
            # Questions in the other Chinese script are embedded converted to this one.
            "script": corpus_script(corpus.passages),
        },
        dense={**spec, "count": int(vectors.shape[0])},
        lexical={
            "library": "bm25s",
            "method": "lucene",
            "k1": K1,
            "b": B,
            "dir": DIRNAME,
            "sentences_dir": SENTENCES_DIRNAME,
        },
        corpus={
            "sha256": _corpus_hash(p.text for p in corpus.passages),
            "documents": len(corpus.documents),
            "passages": len(corpus.passages),
            "files": [str(f) for f in corpus.files],
        },
        build=build_info,
    )
    manifest.save(workdir)
    return manifest


def build_index(
    sources: Iterable[str | Path] | None = None,
    index_dir: str | Path | None = None,
    *,
    model: str | Embedder | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or rebuild) the index at ``index_dir`` from report files and folders.

    ``sources`` default to the bundled reports (``QA_DATA``), ``index_dir`` to ``QA_INDEX``,
    ``model`` to ``QA_MODEL`` (a name/path, or an already loaded ``Embedder``). Vectors of
    unchanged passages are reused from the index's cache. The new generation is written
    beside the current one, loaded and queried, and only then switched to; on any error
    the previous index keeps serving. Raises ``SourceError``, ``BuildLockedError``,
    ``ModelError``.

    >>> report = build_index(["data/"], "index/")          # doctest: +SKIP
    >>> report.passages, report.reused                      # doctest: +SKIP
    (21, 21)
    """
    started = time.monotonic()
    layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
    source_list = list(sources) if sources is not None else [config.default_data_dir()]
    with layout.lock():
        corpus = read_sources(source_list, strict=strict)
        embedder = model if isinstance(model, Embedder) else Embedder.load(model)
        docs = {d.id: d for d in corpus.documents}
        texts = [index_text(p, docs[p.doc]) for p in corpus.passages]
        cache = EmbeddingCache(layout.cache_dir, embedder.cache_key, embedder.dimension)
        try:
            vectors, reused = _embed(embedder, texts, cache, progress)
        finally:
            cache.close()
        workdir = layout.new_workdir()
        try:
            info = {
                "seconds": round(time.monotonic() - started, 2),
                "embedded": len(texts) - reused,
                "reused": reused,
                "skipped": [{"path": s.path, "reason": s.reason} for s in corpus.skipped],
            }
            sentences = [sentence_texts(p, docs[p.doc]) for p in corpus.passages]
            write_generation(workdir, corpus, embedder, vectors, texts, sentences, info)
            _validate(workdir, embedder, corpus.passages[0])
            generation = layout.publish(workdir)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        layout.prune()
    return BuildReport(
        index_dir=layout.root,
        generation=generation,
        model=embedder.description,
        documents=len(corpus.documents),
        passages=len(corpus.passages),
        embedded=len(texts) - reused,
        reused=reused,
        seconds=round(time.monotonic() - started, 2),
        skipped=list(corpus.skipped),
        files=[str(f) for f in corpus.files],
    )


def _validate(workdir: Path, embedder: Embedder, probe: Passage) -> None:
    """Load the new generation exactly as a reader would and run one query against it."""
    from qa.index.snapshot import Snapshot

    snap = Snapshot.open(workdir, embedder=embedder)
    try:
        _scores, rows = snap.dense_search(snap.encode_query(probe.text[:200]), 1)
        found = snap.store.get([int(r) for r in rows if r >= 0])
        if not found or snap.lexical_scores(probe.text[:200]).max() <= 0:
            raise IndexCorruptError(f"{workdir}: the new index failed its validation query")
    finally:
        snap.close()
