"""Derived tables are kept between processes and derived afresh when what they come from
changes (``qa.derived``): the region table read back equals the one derived."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qa import derived, regions


def test_a_table_is_derived_once_and_read_back(tmp_path) -> None:
    calls = []

    def derive() -> dict:
        calls.append(1)
        return {"rows": [["吉林", 1]]}

    first = derived.cached_table("demo", "k1", derive, folder=tmp_path)
    again = derived.cached_table("demo", "k1", derive, folder=tmp_path)
    assert first == again == {"rows": [["吉林", 1]]}
    assert len(calls) == 1
    assert [p.name for p in (tmp_path / derived.TABLES).iterdir()] == ["demo-k1.json"]


def test_a_new_key_derives_again_and_replaces_the_old_table(tmp_path) -> None:
    derived.cached_table("demo", "k1", lambda: [1], folder=tmp_path)
    assert derived.cached_table("demo", "k2", lambda: [2], folder=tmp_path) == [2]
    assert [p.name for p in (tmp_path / derived.TABLES).iterdir()] == ["demo-k2.json"]


def test_a_damaged_table_is_derived_again(tmp_path) -> None:
    derived.cached_table("demo", "k1", lambda: [1], folder=tmp_path)
    (tmp_path / derived.TABLES / "demo-k1.json").write_bytes(b"\x00{not json")
    assert derived.cached_table("demo", "k1", lambda: [3], folder=tmp_path) == [3]
    assert json.loads((tmp_path / derived.TABLES / "demo-k1.json").read_text()) == [3]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_costs_only_the_time(tmp_path) -> None:
    tmp_path.chmod(0o500)
    try:
        assert derived.cached_table("demo", "k1", lambda: [4], folder=tmp_path) == [4]
    finally:
        tmp_path.chmod(0o700)


def test_the_key_follows_the_files_and_the_settings(tmp_path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("a")
    source = tmp_path / "code.py"
    source.write_text("x = 1\n")
    key = derived.fingerprint([data, source], {"n": 2})
    assert derived.fingerprint([data, source], {"n": 2}) == key
    assert derived.fingerprint([data, source], {"n": 3}) != key
    source.write_text("x = 2\n")  # same size, same second: sources count by content
    assert derived.fingerprint([data, source], {"n": 2}) != key
    assert derived.fingerprint([data, None], {"n": 2}) != key


def test_the_region_table_read_back_equals_the_one_derived() -> None:
    stored = json.loads(json.dumps(regions._derive_table(), ensure_ascii=False))
    table = regions._Table(stored)
    assert table.by_code == regions._table().by_code
    assert table.forms == regions._table().forms
    assert table.ordinary == regions._table().ordinary
    # Only ordinary words that begin with a name form are kept, and 长治久安 is one.
    assert "长治久安" in table.ordinary
    assert all(any(w.startswith(f) for f in table.forms) for w in table.ordinary)
    assert [m.region.name for m in regions.named_in("长治久安；长治市；吉林")] == [
        "长治市",
        "吉林省",
    ]


def test_the_english_names_and_the_glossary_read_back_equal_the_ones_derived() -> None:
    from qa import cedict

    english = regions._english()
    assert english == {c: tuple(n) for c, n in regions._derive_english().items()}
    assert english["230000"][0] == "Heilongjiang" and "Harbin" in english["230100"]
    glossary = cedict.english_to_chinese(3, 6)
    derived_now = cedict._derive_glossary(3, 6)
    assert glossary == {k: tuple(v) for k, v in derived_now.items()}
    assert glossary["subsistence allowance"] == ("低保",)


def test_english_lemmas_from_the_kept_trie_equal_simplemmas_own() -> None:
    import simplemma

    from qa import cedict

    kept = cedict._lemmatizer()
    words = {w for gloss in cedict.english_to_chinese(3, 6) for w in gloss.split()}
    words |= {"children", "paid", "Provinces", "was", "better", "grew", "subsidies", "xyzzy"}
    shipped = simplemma.Lemmatizer()
    assert len(words) > 10_000
    assert {w: kept.lemmatize(w, lang="en") for w in words} == {
        w: shipped.lemmatize(w, lang="en") for w in words
    }
    assert cedict.lemma("children") == "child" and cedict.lemma("paid") == "pay"
    assert any((p / "en.dic").is_file() for p in _simplemma_folders())  # kept for the next process


def test_a_cache_folder_that_cannot_be_made_lemmatizes_from_the_shipped_dictionary(
    tmp_path,
) -> None:
    script = "from qa import cedict; print(cedict.lemma('children'))"
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "QA_CACHE_DIR": str(blocked)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["child"]
    assert out.stderr == ""


def _simplemma_folders():
    from qa import config

    return list((config.cache_dir() / derived.TABLES).glob("simplemma-*"))
