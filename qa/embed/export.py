"""Export a sentence-transformers folder to ONNX once, and quantise it to int8.

The whole sentence-transformers pipeline (transformer, pooling, normalisation) is traced
with torch's exporter into one graph, ``(input_ids, attention_mask) → sentence_embedding``,
so whatever the model does with position ids, token types and the padding mask is what
torch does (the bundled e5-small is a ``BertModel``: positions from 0, token type 0,
mean pooling over the mask). Eager attention is exported: it is plain MatMul/Softmax
that the tracer follows for any sequence length, padded rows included. The export
matches torch at cosine ≥ 0.99999 (``tests/test_onnx.py``).

The int8 file is ONNX Runtime's dynamic quantisation with **per-channel** int8 weights:
per-tensor weights cost cosine 0.988 against fp32 on real questions, per-channel 0.997
(quality measured on the benchmarks: README, Performance).

Weights beside the graph. Each model is two files: ``model-<precision>.onnx``, the graph
(a few hundred kB), and ``model-<precision>.onnx.data``, its weights, each large tensor at a
page-aligned offset. ONNX Runtime then memory-maps the weights instead of reading them:
the word-embedding table (250k × 384 floats, 384 MB of the fp32 model's 470 MB) is only
ever read at the rows of the tokens a text has, so a process that asks a few questions
touches a few MB of it. Measured here, loading the fp32 session alone on the busy 2-core
machine: 7.2 s and a peak RSS of 906 MB with the weights inside the graph file, 1.5 s and
158 MB beside it, same vectors bit for bit (``qa ask`` as a whole: ``benchmarks/latency.py
--cold``). An export made before (weights inside) is
rewritten this way once, on first use (``map_weights``); the vectors stay the same, so the
recipe and the embedding cache stay valid.

torch, sentence-transformers and onnx are needed here only; the files written are read
by ``qa.embed.onnx_runtime`` with onnxruntime and tokenizers alone.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import ModelError

if TYPE_CHECKING:  # imported when exporting, not by a process that only embeds
    import onnx
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

#: Version of the export and quantisation recipe: part of the embedding cache key, so
#: vectors of an older recipe are never mixed with this one's.
RECIPE = 1
OPSET = 17
CONFIG_FILE = "onnx_config.json"
TOKENIZER_FILE = "tokenizer.json"


#: Tensors from this size on go to the weights file, each at an offset that is a multiple
#: of :data:`ALIGNMENT` (64 KiB: a page on every platform ONNX Runtime maps files on).
EXTERNAL_FROM_BYTES = 1024
ALIGNMENT = 65536


def model_file(folder: Path, precision: str) -> Path:
    return folder / f"model-{precision}.onnx"


def weights_file(folder: Path, precision: str) -> Path:
    """The file of the weights of ``model_file(folder, precision)`` (see the module docstring)."""
    return folder / f"model-{precision}.onnx.data"


def is_exported(folder: Path, precision: str) -> bool:
    return (folder / CONFIG_FILE).is_file() and model_file(folder, precision).is_file()


def weights_mapped(folder: Path, precision: str) -> bool:
    """True when the model's weights are in their own file (the graph file is then the
    smaller of the two; a graph file that still holds them is larger than any weights file
    left beside it by an interrupted ``map_weights``)."""
    weights = weights_file(folder, precision)
    return (
        weights.is_file() and model_file(folder, precision).stat().st_size < weights.stat().st_size
    )


def map_weights(folder: Path, precision: str) -> None:
    """Move the weights of an exported model out of its graph file into
    ``weights_file``, each large tensor page-aligned, so that ONNX Runtime memory-maps them.

    The weights file is written and renamed into place first, then the graph file that
    points at it: a reader sees either the old self-contained file or the new pair, never
    a graph without its weights. Callers hold the model lock."""
    import onnx

    source = model_file(folder, precision)
    model = onnx.load(str(source))
    weights = weights_file(folder, precision)
    fd, tmp_name = tempfile.mkstemp(prefix=".weights-", dir=folder)
    tmp = Path(tmp_name)
    graph_tmp = source.with_name(f".graph-{os.getpid()}-{source.name}")
    try:
        with os.fdopen(fd, "wb") as out:
            for tensor in _tensors(model.graph):
                if not tensor.HasField("raw_data") or len(tensor.raw_data) < EXTERNAL_FROM_BYTES:
                    continue
                gap = -out.tell() % ALIGNMENT
                out.write(b"\0" * gap)
                offset = out.tell()
                out.write(tensor.raw_data)
                onnx.external_data_helper.set_external_data(
                    tensor, weights.name, offset, len(tensor.raw_data)
                )
                tensor.ClearField("raw_data")
                tensor.data_location = onnx.TensorProto.EXTERNAL
        tmp.chmod(0o644)
        os.replace(tmp, weights)
        onnx.save_model(model, str(graph_tmp))
        graph_tmp.chmod(0o644)
        os.replace(graph_tmp, source)
    finally:
        tmp.unlink(missing_ok=True)
        graph_tmp.unlink(missing_ok=True)


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every initializer of ``graph`` and of its subgraphs."""
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def export(model_dir: Path, folder: Path, precision: str) -> None:
    """Write ``folder``'s files for ``precision`` (fp32 first: int8 is made from it).

    Each file is written under a temporary name and renamed into place, so an
    interrupted export never leaves a half-written model. Callers hold the model lock.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if not is_exported(folder, "fp32"):
        _export_fp32(model_dir, folder)
    if precision == "int8" and not is_exported(folder, "int8"):
        _quantize(folder)
    if not weights_mapped(folder, precision):
        map_weights(folder, precision)


def _pipeline(model: SentenceTransformer, input_names: list[str]) -> torch.nn.Module:
    """The sentence-transformers modules as one ``forward(input_ids, attention_mask, …)``."""
    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            features = dict(zip(input_names, inputs, strict=True))
            return self.model(features)["sentence_embedding"]

    return Pipeline().eval()


def _export_fp32(model_dir: Path, folder: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(
            str(model_dir),
            device="cpu",
            model_kwargs={"dtype": torch.float32, "attn_implementation": "eager"},
        )
    except Exception as exc:  # ST raises many kinds
        raise ModelError(f"cannot load {model_dir} to export it to ONNX: {exc}") from exc
    model.eval()
    # Trace with a padded batch of two lengths, so the mask path is the one exported.
    sample = model.preprocess(["query: a", "passage: 一段較長的文字, with words"])
    input_names: list[str] = [
        k for k in ("input_ids", "attention_mask", "token_type_ids") if k in sample
    ]
    if input_names[:2] != ["input_ids", "attention_mask"]:
        raise ModelError(f"{model_dir}: its tokenizer gives {list(sample)}, not input ids and mask")
    args = tuple(sample[k] for k in input_names)
    dimension = model.get_embedding_dimension()
    if dimension is None:
        raise ModelError(f"{model_dir}: the model does not say its embedding dimension")
    axes = {k: {0: "batch", 1: "sequence"} for k in input_names}
    tmp = Path(tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=folder)[1])
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # tracer notes about Python control flow
            torch.onnx.export(
                _pipeline(model, input_names),
                args,
                str(tmp),
                dynamo=False,  # the TorchScript exporter needs no onnxscript
                input_names=input_names,
                output_names=["sentence_embedding"],
                dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
                opset_version=OPSET,
                do_constant_folding=True,
            )
        model.tokenizer.backend_tokenizer.save(str(folder / TOKENIZER_FILE))
        settings = {
            "source": str(model_dir),
            "recipe": RECIPE,
            "inputs": input_names,
            "pad_id": int(model.tokenizer.pad_token_id or 0),
            "max_seq_length": int(model.max_seq_length or 512),
            "dimension": int(dimension),
            "torch": torch.__version__,
        }
        (folder / CONFIG_FILE).write_text(json.dumps(settings, indent=2) + "\n")
        tmp.chmod(0o644)  # mkstemp makes it private; the model cache is readable like the rest
        os.replace(tmp, model_file(folder, "fp32"))
    finally:
        tmp.unlink(missing_ok=True)


def _quantize(folder: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    work = Path(tempfile.mkdtemp(prefix=".quantize-", dir=folder))
    try:
        target = work / "model.onnx"
        logging.getLogger().disabled, was = True, logging.getLogger().disabled
        try:  # quantize_dynamic logs a pre-processing hint on the root logger
            quantize_dynamic(
                model_file(folder, "fp32"),
                target,
                weight_type=QuantType.QInt8,
                per_channel=True,
                # Weights only: the attention's activation × activation products stay fp32.
                extra_options={"MatMulConstBOnly": True},
            )
        finally:
            logging.getLogger().disabled = was
        os.replace(target, model_file(folder, "int8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
