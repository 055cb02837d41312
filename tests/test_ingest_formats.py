"""Reading reports in other formats and encodings: PDF, Word, HTML; GBK, Big5, UTF-16.

Every file is made here, small and real: PDFs are written object by object with a Unicode
(Type0, Identity-H) font and a ToUnicode map, so that pypdf reads back exactly the text put
in; Word files with python-docx; web pages and legacy-encoded text by hand.
"""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from qa.corpus import read_sources
from qa.corpus.encoding import decode, decode_text
from qa.corpus.plaintext import looks_like_heading
from qa.corpus.reader import Corpus
from qa.documents import Passage
from qa.errors import SourceError

REPORT = Path(__file__).resolve().parents[1] / "data" / "heilongjiang-civil-affairs-2020.txt"

CANNOT_DETECT = (
    "cannot detect the text encoding (tried UTF-8, UTF-16, GB18030, Big5); save it as UTF-8"
)

# Traditional (Big5-encodable) and Simplified (GB2312-encodable) report text.
TRAD_HEADING = "堅持人民至上"
TRAD_PARAGRAPH = "始終把疫情防控作為頭等大事。民政廳召開18次全省民政系統視頻調度會。"
SIMP_HEADING = "兜牢民生底线"
SIMP_PARAGRAPH = "全省城乡低保标准分别提高到每人每月600元和4500元，保障困难群众基本生活。"
SOURCE_NOTE = "(來源:中國社會報2020.12.23)"


def refusal(path: Path) -> str:
    """Why reading ``path`` alone fails: the one-line error, without its leading path."""
    with pytest.raises(SourceError) as err:
        read_sources([path])
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def texts(corpus: Corpus) -> list[str]:
    return [p.text for p in corpus.passages if p.kind == "text"]


def text_passages(corpus: Corpus) -> list[Passage]:
    return [p for p in corpus.passages if p.kind == "text"]


# --- Writers ------------------------------------------------------------------------------


PdfLine = str | tuple[int, str]  # a line, or (indent in points, line)


def make_pdf(pages: list[list[PdfLine]], info: dict[str, str] | None = None) -> bytes:
    """A valid PDF whose pages show ``pages`` line by line, with a text layer pypdf reads."""
    pages = [[line if isinstance(line, tuple) else (0, line) for line in page] for page in pages]
    chars = sorted({ch for page in pages for _, line in page for ch in line})
    mapping = "\n".join(f"<{ord(ch):04X}> <{ord(ch):04X}>" for ch in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{mapping}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    objects: dict[int, str] = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        3: "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        "/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        "/DW 1000 /CIDToGIDMap /Identity >>",
        5: f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}endstream",
    }
    kids: list[str] = []
    number = 6
    for page in pages:
        # One text object per line, 16 pt apart: the CID of each glyph is its code point.
        ops = [
            f"BT /F1 12 Tf {50 + x} {800 - 16 * i} Td <{line.encode('utf-16-be').hex()}> Tj ET"
            for i, (x, line) in enumerate(page)
        ]
        content = "\n".join(ops)
        objects[number] = f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream"
        objects[number + 1] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {number} 0 R >>"
        )
        kids.append(f"{number + 1} 0 R")
        number += 2
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    info_ref = ""
    if info:
        entries = " ".join(
            f"/{key} <FEFF{value.encode('utf-16-be').hex()}>" for key, value in info.items()
        )
        objects[number] = f"<< {entries} >>"
        info_ref = f" /Info {number} 0 R"
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for n in sorted(objects):
        offsets[n] = out.tell()
        out.write(f"{n} 0 obj\n{objects[n]}\nendobj\n".encode())
    xref = out.tell()
    size = max(objects) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{offsets[n]:010d} 00000 n \n" for n in range(1, size)).encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R{info_ref} >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    """``data`` encrypted with RC4-128 (AES would need the cryptography package)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A paragraph wrapped over three full lines, then a short closing line (all 40 columns).
WRAPPED = [
    "一年來，黑龍江省民政系統以習近平新時代中",
    "國特色社會主義思想為指導，全面貫徹黨的十",
    "九屆四中、五中全會精神，著力增進民生福祉",
    "，把民生底線兜得更牢。",
]
WRAPPED_PARAGRAPH = "".join(WRAPPED)
SHORT_PARAGRAPH = "全省發放救助資金12億元。"


def write_docx(path: Path, build) -> Path:
    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


# --- Encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded", "codec"),
    [
        (SIMP_PARAGRAPH, SIMP_PARAGRAPH.encode("gbk"), "gb18030"),
        (TRAD_PARAGRAPH, TRAD_PARAGRAPH.encode("gbk"), "gb18030"),  # GBK has Traditional too
        # 䶮 (U+4DAE) is only in GB18030, as a four-byte sequence.
        (
            "龚䶮主持会议，部署全年工作。",
            "龚䶮主持会议，部署全年工作。".encode("gb18030"),
            "gb18030",
        ),
        (TRAD_PARAGRAPH, TRAD_PARAGRAPH.encode("big5"), "cp950"),
        (SIMP_PARAGRAPH, b"\xef\xbb\xbf" + SIMP_PARAGRAPH.encode("utf-8"), "utf-8-sig"),
        (TRAD_PARAGRAPH, TRAD_PARAGRAPH.encode("utf-8"), "utf-8"),
        (TRAD_PARAGRAPH, TRAD_PARAGRAPH.encode("utf-16"), "utf-16"),  # with BOM
        (SIMP_PARAGRAPH, b"\xfe\xff" + SIMP_PARAGRAPH.encode("utf-16-be"), "utf-16"),
    ],
    ids=["gbk", "gbk-traditional", "gb18030", "big5", "utf8-bom", "utf8", "utf16", "utf16be"],
)
def test_chinese_text_decodes_exactly_in_each_encoding(tmp_path, text, encoded, codec):
    path = tmp_path / "report.txt"
    path.write_bytes(encoded)
    assert decode(path, encoded).encoding == codec
    assert decode_text(path, encoded) == text
    assert texts(read_sources([path])) == [text]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("民政工作", "gbk"),
        ("社会救助", "gbk"),
        ("低保标准提高到每人每月600元。", "gbk"),
        ("社會救助", "big5"),
        ("低保標準提高到每人每月600元。", "big5"),
        ("黑龍江省民政廳", "big5"),
    ],
)
def test_short_legacy_text_is_not_mistaken_for_the_other_encoding(tmp_path, text, encoding):
    # General-purpose detectors read such short GBK strings as Korean or UTF-16.
    data = text.encode(encoding)
    assert decode_text(tmp_path / "short.txt", data) == text


def test_gbk_text_file_keeps_headings_paragraphs_and_source_note(tmp_path):
    path = tmp_path / "gbk.txt"
    body = f"{SIMP_HEADING}\n{SIMP_PARAGRAPH}\n（来源：中国社会报2020.12.23）\n"
    path.write_bytes(body.encode("gbk"))
    corpus = read_sources([path])
    (passage,) = text_passages(corpus)
    assert (passage.text, passage.section, passage.paragraph) == (SIMP_PARAGRAPH, SIMP_HEADING, 1)
    assert corpus.documents[0].source == "中国社会报"
    assert corpus.documents[0].date == "2020-12-23"


@pytest.mark.parametrize(
    "data",
    [
        "Café résumé, naïve élève".encode("latin-1"),
        "“Smart quotes” — and a dash".encode("cp1252"),
        bytes(range(0x80, 0x100)),
    ],
    ids=["latin-1", "cp1252", "high-bytes"],
)
def test_undecodable_file_names_itself_and_the_encodings_tried(tmp_path, data):
    path = tmp_path / "western.txt"
    path.write_bytes(data)
    assert refusal(path) == CANNOT_DETECT


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02PK\x03\x04data",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xfe\xff\x00\x00\x00A",
    ],
    ids=["nul-bytes", "png", "utf16-bom-then-nul"],
)
def test_binary_file_is_refused_as_binary(tmp_path, data):
    path = tmp_path / "image.txt"
    path.write_bytes(data)
    assert refusal(path) == "looks like a binary file, not text"


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_wrapped_lines_join_into_one_paragraph_and_short_lines_are_headings(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(
        make_pdf([[TRAD_HEADING, *WRAPPED, SHORT_PARAGRAPH, "加強基層治理", *WRAPPED]])
    )
    passages = text_passages(read_sources([path]))
    assert [(p.text, p.section, p.paragraph) for p in passages] == [
        (WRAPPED_PARAGRAPH, TRAD_HEADING, 1),
        (SHORT_PARAGRAPH, TRAD_HEADING, 2),
        (WRAPPED_PARAGRAPH, "加強基層治理", 3),
    ]


def wrap(text: str, columns: int) -> list[str]:
    """``text`` cut into lines of at most ``columns`` display columns (CJK counts two)."""
    lines, line, width = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width + w > columns:
            lines.append(line)
            line, width = "", 0
        line, width = line + ch, width + w
    return [*lines, line]


def test_bundled_report_as_a_paged_pdf_reads_back_the_text_files_passages(tmp_path):
    # Laid out like a printed report: 60-column lines, first lines indented by two
    # characters, headings centred, 30 lines a page with a running header and page numbers.
    laid_out: list[PdfLine] = []
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        if looks_like_heading(line):
            laid_out.append((120, line))
        else:
            first, *rest = wrap(line, 56)
            laid_out += [(24, first), *wrap("".join(rest), 60)] if rest else [(24, first)]
    pages = [
        ["黑龍江省民政工作", *laid_out[i : i + 30], f"- {i // 30 + 1} -"]
        for i in range(0, len(laid_out), 30)
    ]
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(pages))
    from_pdf = read_sources([path])
    from_text = read_sources([REPORT])
    assert [(p.text, p.section) for p in from_pdf.passages] == [
        (p.text, p.section) for p in from_text.passages
    ]


def test_pdf_latin_lines_join_with_a_space(tmp_path):
    lines = ["Social assistance reached 1,234,000 people", "in 2020, up 3% on the previous year."]
    path = tmp_path / "english.pdf"
    path.write_bytes(make_pdf([lines]))
    assert texts(read_sources([path])) == [" ".join(lines)]


def test_pdf_page_numbers_and_running_headers_are_dropped(tmp_path):
    header = "黑龍江省民政廳工作報告"
    pages = [
        [header, TRAD_HEADING, SHORT_PARAGRAPH, "- 1 -"],
        [header, TRAD_PARAGRAPH, "- 2 -"],
        [header, "第3页", SOURCE_NOTE, "- 3 -"],
    ]
    path = tmp_path / "paged.pdf"
    path.write_bytes(make_pdf(pages))
    corpus = read_sources([path])
    assert texts(corpus) == [SHORT_PARAGRAPH, TRAD_PARAGRAPH]
    assert corpus.documents[0].notes == (SOURCE_NOTE,)
    assert corpus.documents[0].source == "中國社會報"


def test_pdf_paragraph_continues_across_a_page_break(tmp_path):
    path = tmp_path / "break.pdf"
    path.write_bytes(make_pdf([[TRAD_HEADING, *WRAPPED[:2]], [*WRAPPED[2:], SHORT_PARAGRAPH]]))
    assert texts(read_sources([path])) == [WRAPPED_PARAGRAPH, SHORT_PARAGRAPH]


def test_pdf_info_title_and_creation_date_are_the_document_metadata(tmp_path):
    info = {"Title": "2020年黑龍江民政工作綜述", "CreationDate": "D:20201223093000+08'00'"}
    path = tmp_path / "info.pdf"
    path.write_bytes(make_pdf([[TRAD_PARAGRAPH, SOURCE_NOTE]], info))
    doc = read_sources([path]).documents[0]
    # The PDF's own date outranks the date on the source line; the source stays the text's.
    assert (doc.title, doc.date, doc.source) == (
        "2020年黑龍江民政工作綜述",
        "2020-12-23",
        "中國社會報",
    )


def test_pdf_title_naming_the_printed_file_is_reduced_to_the_name(tmp_path):
    path = tmp_path / "printed.pdf"
    path.write_bytes(make_pdf([[TRAD_PARAGRAPH]], {"Title": "Microsoft Word - 民政綜述.docx"}))
    assert read_sources([path]).documents[0].title == "民政綜述"


def test_sidecar_metadata_outranks_the_pdf_info(tmp_path):
    info = {"Title": "PDF 標題", "CreationDate": "D:20210105"}
    path = tmp_path / "side.pdf"
    path.write_bytes(make_pdf([[TRAD_PARAGRAPH]], info))
    sidecar = {"title": "旁註標題", "date": "2020-12-23", "region": "黑龍江"}
    (tmp_path / "side.meta.json").write_text(json.dumps(sidecar, ensure_ascii=False), "utf-8")
    doc = read_sources([path]).documents[0]
    assert (doc.title, doc.date, doc.region) == ("旁註標題", "2020-12-23", "黑龍江")


def test_pdf_without_an_info_title_is_named_after_its_file(tmp_path):
    path = tmp_path / "annual-report.pdf"
    path.write_bytes(make_pdf([[TRAD_PARAGRAPH]]))
    assert read_sources([path]).documents[0].title == "annual-report"


def test_encrypted_pdf_is_refused(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypt_pdf(make_pdf([[TRAD_PARAGRAPH]]), user_password="secret"))
    assert refusal(path) == "encrypted PDF (it needs a password to open)"


def test_pdf_restricted_with_an_empty_password_is_read(tmp_path):
    path = tmp_path / "restricted.pdf"
    path.write_bytes(encrypt_pdf(make_pdf([[TRAD_PARAGRAPH]]), user_password=""))
    assert texts(read_sources([path])) == [TRAD_PARAGRAPH]


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\nthis is not a PDF at all\n%%EOF\n", b"not even a header", b""],
    ids=["garbage", "no-header", "empty"],
)
def test_corrupt_pdf_is_refused_as_unreadable(tmp_path, data):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    assert refusal(path).startswith("not a readable PDF")


def test_truncated_pdf_is_refused_as_unreadable(tmp_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes(make_pdf([[TRAD_PARAGRAPH]])[:300])
    assert refusal(path).startswith("not a readable PDF")


def test_pdf_without_a_text_layer_is_refused_as_scanned(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "scanned.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert refusal(path) == "no text layer (scanned PDF?)"


# --- Word ---------------------------------------------------------------------------------


def test_docx_title_and_heading_styles_give_the_title_and_sections(tmp_path):
    def build(d):
        d.add_paragraph("2020年黑龍江民政工作綜述", style="Title")
        d.add_paragraph(TRAD_PARAGRAPH)
        d.add_heading(TRAD_HEADING, level=1)
        d.add_paragraph(SHORT_PARAGRAPH)
        d.add_paragraph("")  # empty paragraphs are not passages
        d.add_heading("加強基層治理", level=2)
        d.add_paragraph("短句無標點也是段落")  # styles are trusted: not a heading

    corpus = read_sources([write_docx(tmp_path / "styled.docx", build)])
    assert corpus.documents[0].title == "2020年黑龍江民政工作綜述"
    assert [(p.text, p.section, p.paragraph) for p in text_passages(corpus)] == [
        (TRAD_PARAGRAPH, None, 1),
        (SHORT_PARAGRAPH, TRAD_HEADING, 2),
        ("短句無標點也是段落", "加強基層治理", 3),
    ]


def test_docx_without_heading_styles_uses_the_short_line_rule(tmp_path):
    def build(d):
        d.add_paragraph(TRAD_HEADING)
        d.add_paragraph(TRAD_PARAGRAPH)

    (passage,) = text_passages(read_sources([write_docx(tmp_path / "plain.docx", build)]))
    assert (passage.text, passage.section) == (TRAD_PARAGRAPH, TRAD_HEADING)


def test_docx_table_row_is_one_passage_with_cells_joined(tmp_path):
    def build(d):
        d.add_heading("主要指標", level=1)
        table = d.add_table(rows=3, cols=3)
        for r, row in enumerate([["項目", "2019年", "2020年"], ["城市低保", "580元", "600元"]]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        merged = table.cell(2, 0).merge(table.cell(2, 1))
        merged.text = "合計"
        table.cell(2, 2).text = "12億元"
        d.add_paragraph(SHORT_PARAGRAPH)

    passages = text_passages(read_sources([write_docx(tmp_path / "table.docx", build)]))
    assert [(p.text, p.section) for p in passages] == [
        ("項目 | 2019年 | 2020年", "主要指標"),
        ("城市低保 | 580元 | 600元", "主要指標"),
        ("合計 | 12億元", "主要指標"),  # a merged cell is read once
        (SHORT_PARAGRAPH, "主要指標"),
    ]


def test_docx_core_properties_give_title_and_date_and_outrank_the_text(tmp_path):
    def build(d):
        d.add_paragraph("正文裡的標題", style="Title")
        d.add_paragraph(TRAD_PARAGRAPH)
        d.add_paragraph("(來源:中國社會報2021.01.05)")
        d.core_properties.title = "文件屬性標題"
        d.core_properties.created = datetime(2020, 12, 23, 9, 30)

    corpus = read_sources([write_docx(tmp_path / "props.docx", build)])
    doc = corpus.documents[0]
    assert (doc.title, doc.date, doc.source) == ("文件屬性標題", "2020-12-23", "中國社會報")
    (about,) = [p for p in corpus.passages if p.kind == "metadata"]
    assert about.text == "(來源:中國社會報2021.01.05)"


def test_docx_line_breaks_within_a_paragraph_join_like_wrapped_lines(tmp_path):
    def build(d):
        paragraph = d.add_paragraph("始終把疫情防控")
        paragraph.add_run().add_break()
        paragraph.add_run("作為頭等大事。")

    passages = text_passages(read_sources([write_docx(tmp_path / "breaks.docx", build)]))
    assert [p.text for p in passages] == ["始終把疫情防控作為頭等大事。"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 truncated zip", "not a readable Word document"),
        (b"plain text, not a zip", "not a readable Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old binary Word (.doc) file"),
    ],
    ids=["truncated-zip", "not-zip", "old-doc"],
)
def test_corrupt_docx_is_refused(tmp_path, data, message):
    path = tmp_path / "broken.docx"
    path.write_bytes(data)
    assert refusal(path).startswith(message)


def test_zip_that_is_not_a_word_document_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not word")
    assert refusal(path).startswith("not a readable Word document")


# --- HTML ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="{charset}">
<title>民政工作综述 - 某省民政厅网站</title>
<meta name="PubDate" content="2020-12-23 10:00">
<meta name="ContentSource" content="中国社会报">
<meta name="author" content="黑龙江省民政厅">
</head><body>
<header><a href="/">首页</a> <h1>某省民政厅网站</h1></header>
<nav><ul><li>机构概况</li><li>政务公开</li></ul></nav>
<article>
<header><h1>2020年民政工作综述</h1></header>
<p>一年来，全省民政系统坚持人民至上，
着力增进民生福祉。</p>
<h2>{heading}</h2>
<p>全省城乡低保标准分别提高到每人每月<b>600</b>元和<a href="/x">4500</a>元。</p>
<ul><li>第一项措施。</li><li>第二项措施。</li></ul>
<table><tr><th>项目</th><th>2020年</th></tr><tr><td>城市低保</td><td>600元</td></tr></table>
<div>政府网站常见的段落<br>以换行分隔。</div>
<footer><p>（来源：中国社会报2020.12.23）</p></footer>
</article>
<footer>版权所有 © 2020 某省民政厅</footer>
</body></html>
"""

PAGE_TEXTS = [
    "一年来，全省民政系统坚持人民至上，着力增进民生福祉。",
    "全省城乡低保标准分别提高到每人每月600元和4500元。",
    "第一项措施。",
    "第二项措施。",
    "项目 | 2020年",
    "城市低保 | 600元",
    "政府网站常见的段落",
    "以换行分隔。",
]


def test_html_paragraphs_list_items_table_rows_and_headings_are_read(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(charset="utf-8", heading=SIMP_HEADING), encoding="utf-8")
    corpus = read_sources([path])
    passages = text_passages(corpus)
    assert [p.text for p in passages] == PAGE_TEXTS
    assert [p.section for p in passages] == [None] + [SIMP_HEADING] * 7
    assert [p.paragraph for p in passages] == list(range(1, 9))
    # The article's <h1> is the title; the site banner and navigation are not text.
    assert corpus.documents[0].title == "2020年民政工作综述"
    assert corpus.documents[0].notes == ("（来源：中国社会报2020.12.23）",)


def test_html_meta_tags_give_date_source_and_publisher(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(charset="utf-8", heading=SIMP_HEADING), encoding="utf-8")
    doc = read_sources([path]).documents[0]
    assert (doc.date, doc.source, doc.publisher) == ("2020-12-23", "中国社会报", "黑龙江省民政厅")


def test_html_without_h1_takes_its_title_element(tmp_path):
    path = tmp_path / "bare.htm"
    path.write_text(
        f"<html><head><title>民政工作 &amp; 社会救助</title></head>"
        f"<body><p>{SIMP_PARAGRAPH}</p></body></html>",
        encoding="utf-8",
    )
    corpus = read_sources([path])
    assert corpus.documents[0].title == "民政工作 & 社会救助"
    assert texts(corpus) == [SIMP_PARAGRAPH]


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "GB18030"])
def test_html_declared_gbk_charset_decodes_the_page(tmp_path, charset):
    path = tmp_path / "gbk.html"
    path.write_bytes(PAGE.format(charset=charset, heading=SIMP_HEADING).encode("gb18030"))
    assert texts(read_sources([path])) == PAGE_TEXTS


def test_html_http_equiv_big5_charset_decodes_the_page(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
        f"</head><body><h2>{TRAD_HEADING}</h2><p>{TRAD_PARAGRAPH}</p></body></html>"
    )
    path = tmp_path / "big5.html"
    path.write_bytes(page.encode("big5"))
    (passage,) = text_passages(read_sources([path]))
    assert (passage.text, passage.section) == (TRAD_PARAGRAPH, TRAD_HEADING)


def test_html_without_a_declared_charset_is_detected(tmp_path):
    page = f"<html><body><h2>{TRAD_HEADING}</h2><p>{TRAD_PARAGRAPH}</p></body></html>"
    path = tmp_path / "undeclared.html"
    path.write_bytes(page.encode("big5"))
    assert texts(read_sources([path])) == [TRAD_PARAGRAPH]


def test_html_wrongly_declared_charset_falls_back_to_detection(tmp_path):
    page = f'<meta charset="utf-8"><p>{SIMP_PARAGRAPH}</p>'
    path = tmp_path / "wrong.html"
    path.write_bytes(page.encode("gbk"))
    assert texts(read_sources([path])) == [SIMP_PARAGRAPH]


def test_html_declaring_gb2312_but_saved_as_utf8_is_read_as_utf8(tmp_path):
    page = (
        '<html><head><meta charset="gb2312"><title>民政工作</title></head>'
        "<body><h2>社会救助</h2><p>城乡低保标准每月提高 600 元钱</p></body></html>"
    ).encode()
    page.decode("gb18030")  # the declared charset decodes it too, to nonsense
    path = tmp_path / "resaved.html"
    path.write_bytes(page)
    corpus = read_sources([path])
    assert corpus.documents[0].title == "民政工作"
    assert [(p.text, p.section) for p in corpus.passages] == [
        ("城乡低保标准每月提高 600 元钱", "社会救助")
    ]


def test_html_entities_are_decoded_to_text(tmp_path):
    path = tmp_path / "entities.html"
    path.write_text(
        "<p>AT&amp;T &lt;b&gt; &#20154;&#x6C11; &quot;引号&quot;&nbsp;&copy; 2020</p>",
        encoding="utf-8",
    )
    assert texts(read_sources([path])) == ['AT&T <b> 人民 "引号" © 2020']


HOSTILE = """<html><head>
<script>document.write("<p>injected paragraph</p>")</script>
<style>p::after { content: "styled text" }</style>
</head><body onload="alert('onload')">
<p onclick="alert('onclick')">可见的第一段文字。<script>alert('inline script')</script></p>
<p><img src="x" onerror="alert('onerror')">图片之后的文字。</p>
<p><a href="javascript:alert('href')">点击这里</a>查看全文。</p>
<noscript><p>noscript text</p></noscript>
<template><p>template text</p></template>
<iframe src="javascript:alert('iframe')">iframe text</iframe>
<object data="x.swf"><p>object fallback text</p></object>
<svg><script>alert('svg')</script><text>svg text</text></svg>
<textarea><script>alert('textarea')</script></textarea>
<xmp><script>alert('xmp')</script></xmp>
<!-- <p>commented out paragraph</p> -->
<div style="display:none">hidden spam text</div>
<div hidden>hidden attribute text</div>
<p>最后一段<b>加粗</b>文字。</p>
</body></html>
"""


def test_hostile_html_yields_only_visible_text_never_markup_or_script(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(HOSTILE, encoding="utf-8")
    passages = read_sources([path]).passages
    assert [p.text for p in passages] == [
        "可见的第一段文字。",
        "图片之后的文字。",
        "点击这里查看全文。",
        "最后一段加粗文字。",
    ]
    everything = "\n".join(p.text for p in passages)
    for forbidden in ("<", ">", "alert", "javascript:", "onerror", "script", "text", "spam"):
        assert forbidden not in everything


def test_deeply_nested_html_is_read_without_exhausting_the_stack(tmp_path):
    depth = 5000  # several times Python's recursion limit
    page = "<html><body>" + "<div>" * depth + f"<p>{SIMP_PARAGRAPH}</p>" + "</div>" * depth
    path = tmp_path / "nested.html"
    path.write_text(page + "<p>之后的段落。</p></body></html>", encoding="utf-8")
    assert texts(read_sources([path])) == [SIMP_PARAGRAPH, "之后的段落。"]


def test_html_without_any_text_is_refused(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body></body></html>")
    assert refusal(path) == "no paragraphs found"


# --- Folders ------------------------------------------------------------------------------


def bad_and_good_folder(root: Path) -> dict[str, str]:
    """A folder of readable reports in every format and unreadable ones; name → reason."""
    root.mkdir()
    (root / "a-gbk.txt").write_bytes(f"{SIMP_HEADING}\n{SIMP_PARAGRAPH}\n".encode("gbk"))
    (root / "b-report.pdf").write_bytes(make_pdf([[TRAD_PARAGRAPH]]))
    write_docx(root / "c-report.docx", lambda d: d.add_paragraph(SHORT_PARAGRAPH))
    (root / "d-page.html").write_text(f"<p>{SIMP_PARAGRAPH}</p>", encoding="utf-8")
    (root / "e-big5.md").write_bytes(f"# 標題\n\n{TRAD_PARAGRAPH}\n".encode("big5"))
    (root / "notes.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # not a report type
    bad = {
        "locked.pdf": "encrypted PDF",
        "scanned.pdf": "no text layer",
        "broken.pdf": "not a readable PDF",
        "broken.docx": "not a readable Word document",
        "latin1.txt": "cannot detect the text encoding",
        "binary.txt": "binary",
    }
    (root / "locked.pdf").write_bytes(encrypt_pdf(make_pdf([[TRAD_PARAGRAPH]]), "secret"))
    blank = PdfWriter()
    blank.add_blank_page(100, 100)
    with (root / "scanned.pdf").open("wb") as fh:
        blank.write(fh)
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (root / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (root / "latin1.txt").write_bytes("Café résumé".encode("latin-1"))
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\x03")
    return bad


def test_folder_reads_every_format_and_skips_and_lists_unreadable_files(tmp_path):
    root = tmp_path / "reports"
    bad = bad_and_good_folder(root)
    corpus = read_sources([root])
    assert [d.id for d in corpus.documents] == [
        "a-gbk",
        "b-report",
        "c-report",
        "d-page",
        "e-big5",
    ]
    assert texts(corpus) == [
        SIMP_PARAGRAPH,
        TRAD_PARAGRAPH,
        SHORT_PARAGRAPH,
        SIMP_PARAGRAPH,
        TRAD_PARAGRAPH,
    ]
    skipped = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert sorted(skipped) == sorted(bad)
    for name, reason in bad.items():
        assert reason in skipped[name]
        assert str(root) not in skipped[name]  # the reason, without the path prefix


def test_strict_folder_read_fails_on_an_unreadable_file(tmp_path):
    root = tmp_path / "reports"
    bad_and_good_folder(root)
    with pytest.raises(SourceError) as err:
        read_sources([root], strict=True)
    assert str(err.value).startswith(str(root))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("locked.pdf", None, "encrypted PDF"),
        ("broken.docx", b"PK\x03\x04garbage", "not a readable Word document"),
        ("latin1.html", "<p>Café résumé</p>".encode("latin-1"), CANNOT_DETECT),
    ],
)
def test_unreadable_file_named_explicitly_is_a_one_line_error_naming_it(
    tmp_path, name, data, reason
):
    path = tmp_path / name
    path.write_bytes(data or encrypt_pdf(make_pdf([[TRAD_PARAGRAPH]]), "secret"))
    assert refusal(path).startswith(reason)
