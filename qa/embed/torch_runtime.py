"""Run a sentence-transformers model with torch (``QA_BACKEND=torch``, and any model that
has no ONNX export here)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from qa.errors import ModelError


def _quiet_transformers() -> None:
    """Keep library progress bars and notices off the user's terminal."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


class TorchEncoder:
    """A ``SentenceTransformer`` in float32 on the CPU.

    Encoding is serialised: a fast Hugging Face tokenizer raises "Already borrowed" when
    one instance is used from several threads at once.
    """

    def __init__(self, path: str, *, threads: int | None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        _quiet_transformers()
        if threads:
            torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(
                path, device="cpu", model_kwargs={"dtype": torch.float32}, local_files_only=False
            )
        except Exception as exc:  # ST raises many kinds (OSError, ValueError, HF hub errors)
            raise ModelError(f"cannot load embedding model {path!r}: {exc}") from exc
        self.model.eval()
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"embedding model {path!r} does not say its dimension")
        self.dimension = int(dimension)
        self.max_seq_length = int(getattr(self.model, "max_seq_length", 512) or 512)
        self._lock = threading.Lock()

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        with self._lock:
            return self.model.tokenizer(
                list(texts), truncation=True, max_length=self.max_seq_length
            )["input_ids"]

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        """Unit vectors of ``texts`` (prompts already prepended), in input order.
        sentence-transformers sorts each call's texts by length itself."""
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, torch.inference_mode():
            vecs = self.model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)
