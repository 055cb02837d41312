"""jieba's dictionary is read from its cache file in one read (``qa.segment``), and the words
it cuts are the words jieba's own start gives."""

from __future__ import annotations

import jieba

from qa import segment

TEXT = "全省城乡低保标准分别提高6.1%和8.2%，发放低保金58.68亿元，新增养老床位1.2万张。"


def test_the_cache_read_in_one_go_cuts_as_jieba_does(tmp_path) -> None:
    theirs = jieba.Tokenizer()
    theirs.tmp_dir = str(tmp_path)
    theirs.initialize()  # builds the dictionary and writes its cache file
    ours = jieba.Tokenizer()
    ours.tmp_dir = str(tmp_path)
    assert segment.read_cache(ours, jieba.DEFAULT_DICT)
    assert ours.initialized and ours.total == theirs.total and ours.FREQ == theirs.FREQ
    assert ours.lcut(TEXT) == theirs.lcut(TEXT) == segment.words(TEXT)


def test_without_a_readable_cache_jieba_builds_it_itself(tmp_path) -> None:
    missing = jieba.Tokenizer()
    missing.tmp_dir = str(tmp_path)
    assert not segment.read_cache(missing, jieba.DEFAULT_DICT)
    assert not missing.initialized

    (tmp_path / "jieba.cache").write_bytes(b"\x00\x01 not marshal")
    damaged = jieba.Tokenizer()
    damaged.tmp_dir = str(tmp_path)
    assert not segment.read_cache(damaged, jieba.DEFAULT_DICT)

    other = jieba.Tokenizer(dictionary=str(tmp_path / "user.dict"))
    assert not segment.read_cache(other, jieba.DEFAULT_DICT)
