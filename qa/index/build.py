"""Build an index generation: read sources, embed (reusing cached vectors), store, validate,
switch. Data flows one way: corpus → embed → (dense, lexical, passages) → manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

import qa.config as config
from qa import cedict
from qa._version import __version__
from qa.corpus import Corpus, Skipped, read_sources
from qa.documents import Document, Passage
from qa.embed import Embedder
from qa.errors import ArgumentError, ArgumentTypeError, IndexCorruptError, IndexNotFoundError
from qa.index import dense, parts, passages
from qa.index.cache import EmbeddingCache, text_key
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest, documents_digest
from qa.index.snapshot import Snapshot
from qa.lexical import (
    DIRNAME,
    ENGLISH_DIRNAME,
    SENTENCES_DIRNAME,
    EnglishBagIndex,
    LexicalIndex,
    SentenceLexicalIndex,
)
from qa.policy import DEFAULT, IndexPolicy
from qa.sentences import split_sentences
from qa.text import FOLDING, TOKENIZER, chinese_script, lexical_tokens

if TYPE_CHECKING:  # Ray is an optional extra, imported only by a build that uses it
    from qa.index.ray_embed import RayCluster

log = logging.getLogger(__name__)

#: What is embedded and BM25-indexed for a passage: its document title and section heading
#: give a paragraph its context (the quote shown is always the passage text alone).
INDEX_TEXT = "title + section path + text"

#: ``progress(done, total)``: passages with a vector so far, of all passages; called once
#: before the first batch is embedded (``done`` = those found in the cache) and after each
#: (a ``BuildMonitor`` hears more: :class:`EmbeddingProgress`).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildStage:
    """A step of a build starting: ``reading`` the sources, ``embedding`` the ``passages``
    (the cached ones are reused), ``writing`` and validating the new generation."""

    name: Literal["reading", "embedding", "writing"]
    passages: int = 0


@dataclass(frozen=True)
class EmbeddingProgress:
    """Where the embedding step of a build stands: given once before the first batch and
    after each batch.

    ``done`` of ``total`` passages have a vector (those found in the cache included).
    ``cost_done`` of ``cost_total`` is the work this build embeds, as the batches' estimated
    compute (tokens weighted by their length: ``qa.embed.plan``), so a long passage still to
    embed counts for more than a short one. ``busy_seconds`` is the time the batches done
    took: their model calls' seconds added up, divided by the workers that run side by side
    — the embedding time they account for, measured on the batches themselves (batches
    still running are in neither figure). ``tokens_done`` of ``tokens_total`` count the
    tokens embedded (without padding).

    On Ray, cost is one per passage and ``busy_seconds`` the time since embedding started.
    """

    done: int
    total: int
    cost_done: float = 0.0
    cost_total: float = 0.0
    busy_seconds: float = 0.0
    tokens_done: int = 0
    tokens_total: int = 0


class BuildMonitor:
    """A ``progress`` callback that also hears each step start and how much work is left:
    subclass it and pass an instance as ``progress`` (a plain callable only gets
    ``progress(done, total)``)."""

    def __call__(self, done: int, total: int) -> None:
        """Passages with a vector so far, of ``total`` (see :data:`Progress`)."""

    def stage(self, stage: BuildStage) -> None:
        """A step of the build starts."""

    def embedding(self, progress: EmbeddingProgress) -> None:
        """Before the first batch and after each: where embedding stands. By default, the
        passages done of the total go to ``self(done, total)``."""
        self(progress.done, progress.total)


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
    """ "zh-Hant" or "zh-Hans" when the passages are mostly in that script (read from an
    evenly spread sample), else ``None`` (English, or reports in both scripts)."""
    total = sum(len(p.text) for p in passages)
    step = max(1, round(total / SCRIPT_SAMPLE_CHARS))
    return chinese_script("\n".join(p.text for p in passages[::step]))


def _head(passage: Passage, doc: Document) -> list[str]:
    """The document's title and the headings the passage stands under (its section path)."""
    path = passage.sections or ((passage.section,) if passage.section else ())
    return [h for h in (passage.title or doc.title, *path) if h]


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
    #: Ids of the reports this build added, replaced (same id, new text) and dropped,
    #: compared with the generation it replaced.
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    #: How Ray embedded it (address, workers, …); None when it was embedded here.
    ray: dict | None = None
    #: Tokens of the passages embedded (as the model read them: prompt, title and section
    #: included, truncated to its limit; 0 when nothing was embedded or Ray embedded them).
    embedded_tokens: int = 0
    #: Seconds from the first batch embedded to the last (0 when nothing was embedded).
    embedding_seconds: float = 0.0

    @property
    def embedding_rates(self) -> tuple[float, float] | None:
        """Passages and tokens embedded per second, when passages were embedded here."""
        if not self.embedded or self.embedding_seconds <= 0:
            return None
        seconds = self.embedding_seconds
        return self.embedded / seconds, self.embedded_tokens / seconds


def _corpus_hash(texts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class _Embedding:
    """What ``_embed`` did: the vectors, how many were reused, what it embedded here."""

    vectors: np.ndarray
    reused: int
    tokens: int = 0
    seconds: float = 0.0


def _embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    progress: Progress | None,
    cluster: RayCluster | None = None,
    policy: IndexPolicy = DEFAULT.index,
) -> _Embedding:
    """Vectors for ``texts``, embedding only those not in ``cache`` (on ``cluster`` when
    given, else here).

    Here, the texts to embed are tokenised once and cut into batches of similar length,
    longest first, run on every worker (``qa.embed.plan``); each batch is committed to the
    cache as it is done, so an interrupted build keeps its work."""
    keys = [text_key(t) for t in texts]
    cached = cache.get(sorted(set(keys)))
    todo = sorted({k: i for i, k in enumerate(keys) if k not in cached}.values())
    reused = len(texts) - len(todo)  # found in the cache, or the same text as another passage
    copies = Counter(keys)  # a text embedded once gives every passage of that text its vector
    found = sum(n for k, n in copies.items() if k in cached)
    report = _reporter(progress, len(texts))
    if cluster is not None and todo:
        return _embed_on_ray(embedder, keys, texts, todo, cache, cached, report, cluster)
    plan = embedder.plan_passages(
        [texts[i] for i in todo], attention_length=policy.embed_attention_length
    )
    state = EmbeddingProgress(found, len(texts), cost_total=plan.cost, tokens_total=plan.tokens)
    report(state)
    started = time.monotonic()
    for done in embedder.embed_plan(plan):
        new_keys = [keys[todo[j]] for j in done.batch.rows]
        cache.put(new_keys, done.vectors)  # committed as it comes
        cached.update(zip(new_keys, done.vectors))
        state = dataclasses.replace(
            state,
            done=state.done + sum(copies[k] for k in new_keys),
            cost_done=state.cost_done + done.batch.cost,
            busy_seconds=state.busy_seconds + done.seconds / done.workers,
            tokens_done=state.tokens_done + int(plan.lengths[done.batch.rows].sum()),
        )
        report(state)
    seconds = time.monotonic() - started if todo else 0.0
    return _Embedding(_gather(embedder, keys, cached), reused, plan.tokens, seconds)


def _reporter(progress: Progress | None, total: int) -> Callable[[EmbeddingProgress], None]:
    """Where embedding progress goes: a monitor hears all of it, a plain callable the
    passages done of the total."""
    if isinstance(progress, BuildMonitor):
        return progress.embedding
    if progress is not None:
        plain = progress
        return lambda state: plain(min(state.done, total), total)
    return lambda state: None


def _embed_on_ray(
    embedder: Embedder,
    keys: list[str],
    texts: Sequence[str],
    todo: list[int],
    cache: EmbeddingCache,
    cached: dict[str, np.ndarray],
    report: Callable[[EmbeddingProgress], None],
    cluster: RayCluster,
) -> _Embedding:
    """``_embed`` on a Ray cluster: batches come back in any order; each is committed to
    the cache as it arrives. Work is counted in passages (the driver does not tokenise)."""
    reused = len(texts) - len(todo)
    copies = Counter(keys)
    found = sum(n for k, n in copies.items() if k in cached)
    state = EmbeddingProgress(found, len(texts), cost_total=float(len(todo)))
    report(state)
    started = time.monotonic()

    def store(new_keys: list[str], vecs: np.ndarray) -> None:
        nonlocal state
        cache.put(new_keys, vecs)  # committed as it comes: an interrupted build keeps its work
        cached.update(zip(new_keys, vecs))
        state = dataclasses.replace(
            state,
            done=min(state.done + sum(copies[k] for k in new_keys), len(texts)),
            cost_done=state.cost_done + len(new_keys),
            busy_seconds=time.monotonic() - started,
        )
        report(state)

    cluster.embed(embedder.spec(), [keys[i] for i in todo], [texts[i] for i in todo], store)
    return _Embedding(_gather(embedder, keys, cached), reused)


def _gather(embedder: Embedder, keys: Sequence[str], cached: dict[str, np.ndarray]) -> np.ndarray:
    out = np.zeros((len(keys), embedder.dimension), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = cached[k]
    return out


def write_generation(
    workdir: Path,
    corpus: Corpus,
    embedder: Embedder,
    vectors: np.ndarray,
    texts: Sequence[str],
    sentences: Sequence[Sequence[str]],
    build_info: dict,
    *,
    policy: IndexPolicy = DEFAULT.index,
) -> Manifest:
    """Write passages, vectors, BM25 (of ``texts``, of each passage's ``sentences`` and of
    the English bags of ``texts``) and the manifest into ``workdir``."""
    passages.write(workdir / passages.FILENAME, corpus.documents, corpus.passages)
    index, spec = dense.build(vectors, policy=policy)
    dense.save(index, workdir / dense.FILENAME)
    LexicalIndex.build(texts, policy=policy).save(workdir / DIRNAME)
    SentenceLexicalIndex.build(sentences, policy=policy).save(workdir / SENTENCES_DIRNAME)
    started = time.monotonic()
    EnglishBagIndex.build(texts, policy=policy).save(workdir / ENGLISH_DIRNAME)
    build_info = {**build_info, "english_bag_seconds": round(time.monotonic() - started, 2)}
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
            # How each passage's English bag was made (English questions match it).
            "english_bag": cedict.ENGLISH_BAG,
        },
        dense={**spec, "count": int(vectors.shape[0])},
        lexical={
            "library": "bm25s",
            "method": "lucene",
            "k1": policy.bm25_k1,
            "b": policy.bm25_b,
            "dir": DIRNAME,
            "sentences_dir": SENTENCES_DIRNAME,
            "english_dir": ENGLISH_DIRNAME,
            "english_headword_chars": list(policy.english_bag_headword_chars),
        },
        corpus={
            "sha256": _corpus_hash(p.text for p in corpus.passages),
            "documents": len(corpus.documents),
            # Which reports: a damaged generation is stood in for only by one that holds
            # the same (qa.index.recovery), even when its passage store cannot be read.
            "documents_sha256": documents_digest(d.id for d in corpus.documents),
            "passages": len(corpus.passages),
            "files": [str(f) for f in corpus.files],
            "documents_format": passages.DOCUMENTS_FORMAT,
        },
        build=build_info,
    )
    manifest.save(workdir)
    return manifest


def source_paths(sources: str | os.PathLike | Iterable[str | os.PathLike] | None) -> list[Path]:
    """``sources`` as a list of paths: one path (``str`` or ``Path``), an iterable of them, or
    ``None`` for the bundled reports (``QA_DATA``). ``ArgumentTypeError`` for anything else,
    ``ArgumentError`` for an empty list."""
    if sources is None:
        return [config.default_data_dir()]
    if isinstance(sources, (str, os.PathLike)):
        return [Path(sources)]
    if isinstance(sources, (bytes, bytearray)) or not isinstance(sources, Iterable):
        raise ArgumentTypeError(
            f"sources must be a path or an iterable of paths, not {type(sources).__name__}"
        )
    paths = []
    for item in sources:
        if not isinstance(item, (str, os.PathLike)):
            raise ArgumentTypeError(f"a source must be a path, not {type(item).__name__}: {item!r}")
        paths.append(Path(item))
    if not paths:
        raise ArgumentError("no sources given: name at least one report file or folder")
    return paths


def build_index(
    sources: str | os.PathLike | Iterable[str | os.PathLike] | None = None,
    index_dir: str | Path | None = None,
    *,
    model: str | Embedder | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    policy: IndexPolicy = DEFAULT.index,
    ray_address: str | None = None,
    ray_workers: int | None = None,
) -> BuildReport:
    """Build (or rebuild) the index at ``index_dir`` from report files and folders.

    ``sources`` is one path or an iterable of paths, and defaults to the bundled reports (``QA_DATA``), ``index_dir`` to ``QA_INDEX``,
    ``model`` to ``QA_MODEL`` (a name/path, or an already loaded ``Embedder``). Vectors of
    unchanged passages are reused from the index's cache. The new generation is written
    beside the current one, loaded and queried, and only then switched to; on any error
    the previous index keeps serving. Raises ``SourceError``, ``BuildLockedError``,
    ``ModelError``, ``ScaleOutError``.

    ``ray_address`` embeds the passages missing from the cache on a Ray cluster
    (``"local"``, ``"auto"``, ``"HOST:PORT"`` or ``"ray://HOST:10001"``; see
    ``qa.index.ray_embed``) with ``ray_workers`` actors (default: one per cluster CPU);
    everything else runs here.

    >>> report = build_index("data/", "index/")            # doctest: +SKIP
    >>> report.passages, report.reused                      # doctest: +SKIP
    (21, 21)
    """
    started = time.monotonic()
    layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
    source_list = source_paths(sources)
    stage = progress.stage if isinstance(progress, BuildMonitor) else _no_stage
    with layout.lock():
        # Ray (if asked for) is reached first, before any work, and let go of once the
        # build is done: only the embedding runs there.
        with _connect(ray_address, ray_workers) as cluster:
            stage(BuildStage("reading"))
            corpus = read_sources(source_list, strict=strict, policy=policy)
            embedder = model if isinstance(model, Embedder) else Embedder.load(model)
            before = previous_documents(layout)
            report = publish(
                layout,
                corpus,
                embedder,
                started=started,
                progress=progress,
                policy=policy,
                cluster=cluster,
            )
    now = [d.id for d in corpus.documents]
    report.added = [d for d in now if d not in before]
    report.dropped = [d for d in before if d not in set(now)]
    return report


def previous_documents(layout: IndexLayout) -> list[str]:
    """Ids of the documents of the generation being served (empty when there is none or it
    cannot be read: a build replaces it either way)."""
    try:
        path = layout.current() / passages.FILENAME
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except (IndexNotFoundError, sqlite3.Error):
        return []
    try:
        return [r[0] for r in con.execute("SELECT id FROM documents ORDER BY rowid")]
    except sqlite3.Error:
        return []
    finally:
        con.close()


def publish(
    layout: IndexLayout,
    corpus: Corpus,
    embedder: Embedder,
    *,
    started: float,
    progress: Progress | None = None,
    policy: IndexPolicy = DEFAULT.index,
    cluster: RayCluster | None = None,
) -> BuildReport:
    """Write ``corpus`` as a new generation of ``layout`` (embedding only what the cache
    lacks), validate it and switch to it — the one write-validate-publish path of a build,
    an addition and a removal. The caller holds the build lock."""
    stage = progress.stage if isinstance(progress, BuildMonitor) else _no_stage
    docs = {d.id: d for d in corpus.documents}
    texts = [index_text(p, docs[p.doc]) for p in corpus.passages]
    cache = EmbeddingCache(layout.cache_dir, embedder.cache_key, embedder.dimension)
    stage(BuildStage("embedding", len(texts)))
    try:
        embedding = _embed(embedder, texts, cache, progress, cluster, policy)
    finally:
        cache.close()
    vectors, reused = embedding.vectors, embedding.reused
    ray_info = cluster.embedding.as_dict() if cluster and cluster.embedding else None
    stage(BuildStage("writing", len(texts)))
    workdir = layout.new_workdir()
    try:
        info = {
            "seconds": round(time.monotonic() - started, 2),
            "embedded": len(texts) - reused,
            "reused": reused,
            "skipped": [{"path": s.path, "reason": s.reason} for s in corpus.skipped],
            "ray": ray_info,
            "embedded_tokens": embedding.tokens,
            "embedding_seconds": round(embedding.seconds, 2),
        }
        sentences = [sentence_texts(p, docs[p.doc]) for p in corpus.passages]
        write_generation(workdir, corpus, embedder, vectors, texts, sentences, info, policy=policy)
        _validate(workdir, embedder, corpus.passages, policy)
        generation = layout.publish(workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    layout.prune(sound=parts.opens)
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
        ray=ray_info,
        embedded_tokens=embedding.tokens,
        embedding_seconds=round(embedding.seconds, 2),
    )


def _no_stage(stage: BuildStage) -> None:
    pass


def _connect(
    address: str | None, workers: int | None
) -> contextlib.AbstractContextManager[RayCluster | None]:
    """The Ray cluster to embed on (a context that disconnects), or none."""
    if address is None:
        return contextlib.nullcontext(None)
    from qa.index.ray_embed import RayCluster

    return RayCluster.connect(address, workers=workers)


def _validate(
    workdir: Path, embedder: Embedder, passages: Sequence[Passage], policy: IndexPolicy
) -> None:
    """Load the new generation exactly as a reader would and run one query against it: the
    first passage with words BM25 can match (a paragraph of "#" or "***" has none) must be
    found by its own text."""
    probe = next((p for p in passages if lexical_tokens(p.text[:200])), passages[0])
    snap = Snapshot.open(workdir, embedder=embedder, policy=policy)
    try:
        _scores, rows = snap.dense_search(snap.encode_query(probe.text[:200]), 1)
        if not snap.store.get([int(r) for r in rows if r >= 0]):
            raise IndexCorruptError(
                "the new index failed its validation: dense search found nothing"
            )
        if lexical_tokens(probe.text[:200]) and snap.lexical_scores(probe.text[:200]).max() <= 0:
            raise IndexCorruptError(
                f"the new index failed its validation: BM25 does not find passage {probe.id!r} "
                "by its own words"
            )
    finally:
        snap.close()
