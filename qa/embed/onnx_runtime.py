"""Run an exported model (``qa.embed.export``) with ONNX Runtime: the ``tokenizers``
library reads the text (SentencePiece for XLM-R's pieces, ``qa.embed.unigram``), one inference
session embeds it. No torch on this path.

Threads. A query runs on one intra-op thread: on this 2-core machine a second thread
barely helps an idle query and hurts when another process holds a core (measured in
``benchmarks/latency.py``), and with spinning turned off no pool thread busy-waits
against other processes. A build uses every core through its batches instead: batches
run concurrently on the same session, one thread each (ONNX Runtime's ``run`` is
thread-safe and releases the GIL), so cores never wait on each other inside one batch.

Start-up. Loading XLM-R's 250k pieces takes SentencePiece most of a second, with the GIL
released; the encoder loads them on a thread of its own while the session is made and the
caller opens the rest of the index, and the first text to tokenize waits for them. A cold
``qa ask`` on two cores is that much shorter (``benchmarks/latency.py --cold``).

Padding. Texts are sorted by token length and batched in that order (``qa.embed.plan``),
then the vectors are put back in input order: a batch pads to its own longest text, not
the call's.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from qa.embed import plan, unigram
from qa.embed.export import CONFIG_FILE, TOKENIZER_FILE, model_file
from qa.embed.unigram import UnigramTokenizer
from qa.errors import ModelError

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)


def session_options(threads: int) -> ort.SessionOptions:
    """Session options for ``threads`` intra-op threads that never spin while idle."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: no notices on the user's terminal
    return options


class OnnxEncoder:
    """An exported sentence-transformers model on ONNX Runtime.

    ``encode`` takes texts with their prompt already prepended and returns unit vectors.
    ``workers`` batches run at once when a call has several batches (a build).
    """

    def __init__(
        self, folder: Path, precision: str, *, workers: int, query_threads: int = 1
    ) -> None:
        #: The export's folder (graph, weights, tokenizer, settings).
        self.folder = folder
        try:
            settings = json.loads((folder / CONFIG_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the ONNX model in {folder}: {exc}") from exc
        self.max_seq_length = int(settings["max_seq_length"])
        # The tokenizer loads on its own thread while the session is made and the caller
        # goes on opening the index (see "Start-up" above); its first use waits for it.
        loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-tokenizer")
        self._tokenizers: Future[_Tokenizers] = loader.submit(
            _load_tokenizers, folder, self.max_seq_length
        )
        loader.shutdown(wait=False)
        import onnxruntime as ort

        try:
            self.session = ort.InferenceSession(
                str(model_file(folder, precision)),
                session_options(query_threads),
                providers=["CPUExecutionProvider"],
            )
        except Exception as exc:  # ORT raises its own kinds
            raise ModelError(f"cannot load the ONNX model in {folder}: {exc}") from exc
        self.inputs: list[str] = list(settings["inputs"])
        self.pad_id = int(settings["pad_id"])
        self.dimension = int(settings["dimension"])
        self.workers = max(1, workers)

    @property
    def unigram(self) -> UnigramTokenizer | None:
        """XLM-R's pieces on SentencePiece (``qa.embed.unigram``: a cheap start), when the
        export's tokenizer converts; waits for the tokenizer to be loaded."""
        return self._tokenizers.result().unigram

    @property
    def tokenizer(self) -> Tokenizer | None:
        """The export's ``tokenizer.json`` on ``tokenizers``, when it does not convert."""
        return self._tokenizers.result().tokenizer

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text (special tokens included, truncated to the model's limit)."""
        loaded = self._tokenizers.result()
        if loaded.unigram is not None:
            return loaded.unigram.ids(texts)
        assert loaded.tokenizer is not None
        if len(texts) == 1:  # one query: no tokenizer thread pool woken up
            return [loaded.tokenizer.encode(texts[0]).ids]
        return [e.ids for e in loaded.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        """Unit vectors of ``texts``, shape (n, dimension), in input order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = self.token_ids(texts)
        batches = plan.cut([len(x) for x in ids], max_texts=batch_size)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for done in plan.run(
            batches, lambda rows: self.encode_ids([ids[i] for i in rows]), workers=self.workers
        ):
            out[done.batch.rows] = done.vectors
        return out

    def encode_ids(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Unit vectors of texts given as their token ids, run as one padded batch."""
        width = max(len(x) for x in ids)
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, x in enumerate(ids):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        out = self.session.run(None, feeds)[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


class _Tokenizers(NamedTuple):
    """The tokenizer an encoder runs: exactly one of the two is set."""

    unigram: UnigramTokenizer | None
    tokenizer: Tokenizer | None


def _load_tokenizers(folder: Path, max_length: int) -> _Tokenizers:
    """SentencePiece on the export's pieces when they convert, else ``tokenizers``."""
    try:
        if unigram.convert(folder, TOKENIZER_FILE):
            return _Tokenizers(
                UnigramTokenizer(folder, TOKENIZER_FILE, max_length=max_length), None
            )
    except (OSError, ValueError, KeyError, ImportError) as exc:
        log.info("tokenizing with tokenizers: %s", exc)
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    except Exception as exc:  # tokenizers raises its own kinds
        raise ModelError(f"cannot load the tokenizer in {folder}: {exc}") from exc
    # Fixed once: changing padding or truncation later would make concurrent callers
    # of the same tokenizer fail ("Already borrowed"). Padding is done per batch.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return _Tokenizers(None, tokenizer)


def default_workers(threads: int | None) -> int:
    """Batches a build runs at once: ``QA_THREADS``, else every core this process may use."""
    if threads:
        return threads
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
