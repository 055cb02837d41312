"""Reading reports into passages: paragraphs, headings, notes, metadata, and bad input."""

from __future__ import annotations

import json

import pytest

from qa.corpus import read_sources
from qa.errors import DuplicateIdError, SourceError
from tests.conftest import DATA, REPORT


def test_bundled_report_has_20_paragraphs_under_4_section_headings():
    corpus = read_sources([DATA])
    text = [p for p in corpus.passages if p.kind == "text"]
    assert len(text) == 20
    assert [p.paragraph for p in text] == list(range(1, 21))
    assert text[0].section is None  # the two opening paragraphs precede the first heading
    sections = {p.section for p in text} - {None}
    assert sections == {
        "堅持人民至上,在抗擊疫情中彰顯民政擔當",
        "扎實履行政治責任,筑牢脫貧攻堅兜底保障防線",
        "聚焦群眾所需所盼,不斷夯實基層基礎",
        "全面深化從嚴治黨,為民政事業發展提供政治保證",
    }


def test_headings_and_credit_lines_are_not_passages_but_stay_verbatim():
    corpus = read_sources([DATA])
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    texts = [p.text for p in corpus.passages if p.kind == "text"]
    assert all(t in lines for t in texts)
    assert "(本版文圖由黑龍江省民政廳提供)" not in texts
    assert "堅持人民至上,在抗擊疫情中彰顯民政擔當" not in texts
    [about] = [p for p in corpus.passages if p.kind == "metadata"]
    assert about.text == "(本版文圖由黑龍江省民政廳提供)\n(來源:中國社會報2020.12.23)"


def test_report_metadata_comes_from_sidecar_and_source_line():
    [doc] = read_sources([DATA]).documents
    assert (doc.source, doc.date, doc.region, doc.year) == (
        "中國社會報",
        "2020-12-23",
        "黑龍江省",
        2020,
    )
    assert doc.publisher == "黑龍江省民政廳"


def test_metadata_is_read_from_the_source_line_without_a_sidecar(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    [doc] = read_sources([report]).documents
    assert (doc.source, doc.date, doc.year, doc.title) == ("中國社會報", "2020-12-23", 2020, "r")


def test_blank_line_blocks_are_paragraphs_and_markdown_headings_are_sections(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text("# 年度報告\n\n## 第一部分\n\n第一段,\n續行。\n\nSecond paragraph\ncontinues.\n")
    corpus = read_sources([md])
    assert corpus.documents[0].title == "年度報告"
    assert [(p.section, p.text) for p in corpus.passages] == [
        ("第一部分", "第一段,續行。"),
        ("第一部分", "Second paragraph continues."),
    ]


def test_jsonl_ids_and_titles_are_kept(tmp_path):
    f = tmp_path / "c.jsonl"
    rows = [{"id": "a-1", "text": "甲乙丙", "title": "T"}, {"id": 7, "text": "丁戊"}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    passages = read_sources([f]).passages
    assert [(p.id, p.title) for p in passages] == [("a-1", "T"), ("7", None)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n  ", "file is empty"),
        (b"\x00\x01\x02PK\x03\x04binary", "binary"),
        ("報告".encode("utf-16-le") + b"\x00\x00", "binary"),
        ("Café résumé".encode("latin-1"), "cannot detect the text encoding"),
    ],
    ids=["empty", "whitespace", "binary", "nul-bytes", "latin-1"],
)
def test_unreadable_text_file_is_a_clear_error(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(SourceError, match=message) as err:
        read_sources([f])
    assert str(f) in str(err.value)


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no such file or folder"):
        read_sources([tmp_path / "nope.txt"])


def test_malformed_jsonl_line_names_file_and_line(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": \n')
    with pytest.raises(SourceError, match=r"c\.jsonl:2: not valid JSON"):
        read_sources([f])


def test_duplicate_ids_are_refused(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n')
    with pytest.raises(DuplicateIdError, match="duplicate id 'a'"):
        read_sources([f])


def test_bad_file_inside_a_folder_is_skipped_and_listed(tmp_path):
    (tmp_path / "good.txt").write_text("第一段內容,有數字12個。\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00\x00")
    corpus = read_sources([tmp_path])
    assert [s.path for s in corpus.skipped] == [str(tmp_path / "bad.txt")]
    assert len(corpus.passages) == 1
    with pytest.raises(SourceError):
        read_sources([tmp_path], strict=True)
