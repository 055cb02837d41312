"""XLM-R's pieces run by SentencePiece (``qa.embed.unigram``) give the token ids that
``tokenizers`` gives from the export's ``tokenizer.json`` — on the bundled report, on
whitespace and script corner cases, on a literal special token and past the length limit."""

from __future__ import annotations

import json
import shutil

import pytest
from tokenizers import Tokenizer

from qa.embed import unigram
from qa.embed.export import CONFIG_FILE, TOKENIZER_FILE
from qa.embed.onnx_runtime import OnnxEncoder
from qa.errors import ModelError
from tests.conftest import REPORT

CORNERS = [
    "向全省養老機構撥付疫情防控補助和運營補貼1.1億元,幫助機構渡難關。",
    "passage: 全省城乡低保标准分别提高6.1%和8.2%",
    "query: How much subsistence allowance was paid out during the epidemic?",
    "  leading and  trailing  ",
    "\ttabs\tand\nnew lines\r\n",
    "\u3000\u3000全角空格开头的段落",
    "ＡＢＣ１２３ full width, ﬁ ligature, Ⅻ ①, emoji 😀",
    "a\u200bzero\u00a0width",
    " ",
    "",
    "<s> and <mask> written out",
    "长" * 700,
]


@pytest.fixture(scope="module")
def export(onnx_fp32_embedder, tmp_path_factory):
    """A copy of the bundled export's tokenizer, converted afresh."""
    folder = tmp_path_factory.mktemp("export")
    shutil.copy(onnx_fp32_embedder.encoder.folder / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    assert unigram.convert(folder, TOKENIZER_FILE)
    return folder


def _reference(folder) -> Tokenizer:
    tok = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    tok.no_padding()
    tok.enable_truncation(512)
    return tok


def test_the_ids_are_those_of_tokenizers(export) -> None:
    texts = CORNERS + [p for p in REPORT.read_text(encoding="utf-8").split("\n") if p.strip()]
    ours = unigram.UnigramTokenizer(export, TOKENIZER_FILE, max_length=512).ids(texts)
    theirs = [e.ids for e in _reference(export).encode_batch(texts)]
    assert ours == theirs
    assert max(len(x) for x in ours) == 512  # the long text, truncated as tokenizers does


def test_the_bundled_export_is_tokenized_by_sentencepiece(onnx_fp32_embedder) -> None:
    encoder = onnx_fp32_embedder.encoder
    assert encoder.unigram is not None and encoder.tokenizer is None
    assert (encoder.folder / unigram.MODEL_FILE).is_file()


def test_another_kind_of_tokenizer_keeps_tokenizers(export, tmp_path) -> None:
    spec = json.loads((export / TOKENIZER_FILE).read_text(encoding="utf-8"))
    assert unigram.convertible(spec)
    wordpiece = dict(spec, model={"type": "WordPiece", "vocab": {"[UNK]": 0}})
    (tmp_path / TOKENIZER_FILE).write_text(json.dumps(wordpiece), encoding="utf-8")
    assert not unigram.convert(tmp_path, TOKENIZER_FILE)
    assert not (tmp_path / unigram.MODEL_FILE).exists()


def test_a_damaged_tokenizer_is_a_clear_error_at_its_first_use(
    onnx_fp32_embedder, tmp_path
) -> None:
    """The tokenizer loads on its own thread (a cheap start); what goes wrong there is
    raised, as a ModelError naming the folder, by the first text to tokenize."""
    source = onnx_fp32_embedder.encoder.folder
    for item in source.iterdir():
        if item.name.startswith("model-fp32") or item.name == CONFIG_FILE:
            (tmp_path / item.name).symlink_to(item)
    (tmp_path / TOKENIZER_FILE).write_bytes(b"\x00\xff not json")
    encoder = OnnxEncoder(tmp_path, "fp32", workers=1)
    with pytest.raises(ModelError, match="cannot load the tokenizer"):
        encoder.token_ids(["passage: 低保"])
    with pytest.raises(ModelError, match=str(tmp_path)):
        encoder.encode(["query: 低保"], batch_size=1)
