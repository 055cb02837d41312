"""Building and loading an index folder: round trip, manifest, generations, model checks,
and that a failed build never damages the index being served."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from qa import ReportQA, Retriever, build_index
from qa.errors import (
    BuildLockedError,
    IndexCorruptError,
    IndexNotFoundError,
    IndexOutdatedError,
    ModelMismatchError,
    SourceError,
)
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from tests.conftest import DATA


def test_manifest_records_model_text_folding_and_corpus(report_index):
    manifest = Manifest.load(IndexLayout(report_index).current())
    assert manifest.model["name"] == "bundled:multilingual-e5-small"
    assert manifest.model["dimension"] == 384
    assert manifest.model["prompts"] == {"query": "query: ", "document": "passage: "}
    assert manifest.text["folding"] == "nfkc+lower+opencc-t2s"
    assert manifest.corpus["passages"] == 21 and manifest.corpus["documents"] == 1
    assert len(manifest.corpus["sha256"]) == 64
    assert manifest.dense["type"] == "IndexFlatIP"
    assert manifest.package_version and manifest.built_at


def test_index_folder_holds_readable_files_and_no_pickle(report_index):
    gen = IndexLayout(report_index).current()
    names = {p.name for p in gen.rglob("*") if p.is_file()}
    assert {"manifest.json", "passages.sqlite", "dense.faiss"} <= names
    assert not [n for n in names if n.endswith((".pkl", ".pickle"))]
    json.loads((gen / "manifest.json").read_text())


def test_loaded_index_returns_the_built_passages_verbatim(retriever):
    hits = retriever.search("困難殘疾人生活補貼和重度殘疾人護理補貼", k=21)
    lines = (DATA / "heilongjiang-civil-affairs-2020.txt").read_text(encoding="utf-8").splitlines()
    assert len(hits) == 21
    assert all(h.text in lines or h.kind == "metadata" for h in hits)
    assert len({h.id for h in hits}) == 21


def test_rebuild_reuses_cached_vectors(index_copy, embedder):
    report = build_index([DATA], index_copy, model=embedder)
    assert report.reused == report.passages == 21 and report.embedded == 0


def test_failed_build_leaves_the_previous_index_serving(index_copy, embedder, tmp_path):
    before = IndexLayout(index_copy).current_name()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "ok"}\nnot json\n')
    with pytest.raises(SourceError):
        build_index([bad], index_copy, model=embedder)
    assert IndexLayout(index_copy).current_name() == before
    assert Retriever.load(index_copy, model=embedder).search("低保", k=1)


def test_a_second_concurrent_build_is_refused(index_copy, embedder):
    with IndexLayout(index_copy).lock(), pytest.raises(BuildLockedError, match="another build"):
        build_index([DATA], index_copy, model=embedder)


def test_loading_with_another_model_is_a_clear_error(report_index):
    with pytest.raises(
        ModelMismatchError, match="built with model 'bundled:multilingual-e5-small'"
    ):
        Retriever.load(report_index, model="sentence-transformers/all-MiniLM-L6-v2")


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFoundError, match="qa build"):
        Retriever.load(tmp_path / "nothing-here")


def test_damaged_index_is_a_clear_error(index_copy, embedder):
    gen = IndexLayout(index_copy).current()
    (gen / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        Retriever.load(index_copy, model=embedder)


def test_index_of_an_older_version_is_refused_and_open_or_build_rebuilds_it(index_copy):
    # Report QA 0.1 tokenised without Chinese numerals and had no sentence index.
    generation = IndexLayout(index_copy).current()
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    manifest["package_version"] = "0.1.0"
    manifest["text"]["lexical_tokens"] = "cjk-uni+bigram/latin-words/numbers"
    shutil.rmtree(generation / manifest["lexical"].pop("sentences_dir"))
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(IndexOutdatedError, match=r"built by Report QA 0\.1\.0.*rebuild it"):
        Retriever.load(index_copy)

    said: list[str] = []
    qa, report = ReportQA.open_or_build(index_copy, on_build=said.append)
    retriever = qa.retriever
    assert report is not None and report.reused == report.passages  # vectors came from cache
    assert len(said) == 1 and said[0].endswith("rebuilding it from its 1 source file(s)")
    assert "殯葬" in retriever.search("殯葬服務費用全免", k=1)[0].text


def test_an_index_without_english_bags_is_outdated_and_rebuilt_with_them(index_copy):
    # Indexes built before English questions were matched against passages' English bags.
    generation = IndexLayout(index_copy).current()
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    shutil.rmtree(generation / manifest["lexical"].pop("english_dir"))
    del manifest["text"]["english_bag"]
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(IndexOutdatedError, match="rebuild it"):
        Retriever.load(index_copy)

    qa, report = ReportQA.open_or_build(index_copy)
    assert report is not None and report.reused == report.passages
    snap = qa.retriever.index.snapshot
    assert snap.manifest.lexical["english_dir"] == "lexical-english"
    scores = snap.english_scores("How many new beds for the elderly were added?")
    [best] = snap.store.get([int(np.argmax(scores))])
    assert "床位" in best.text
