"""Text shown in the terminal and in Telegram carries no control characters, escape sequences
or bidi overrides (issue #16); the index keeps the text verbatim, JSON stays verbatim (it
escapes them), and figures stay marked on the right characters after stripping.

The hostile report is the bundled one with escape sequences, C1 controls, a NUL and bidi
overrides put around its figures, its title and a section — indexed and answered for real.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from rich.console import Console

from qa import ReportQA, build_index
from qa.present import TelegramHTML, as_json, terminal, view_answer, view_passages
from qa.present.safe import UNSAFE, clean, clean_with_spans, one_line
from tests.conftest import REPORT, ROOT

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.auxil.bot_api import parse_html
except ModuleNotFoundError:
    from auxil.bot_api import parse_html

#: Each figure of the bundled report's example answers, and how the hostile report wraps it.
WRAPPED = {
    "1.1億元": "\x1b[31m1.1億元\x1b[0m",
    "58.68億元": "\x9b1m58.68億元\x00",
    "3.4萬人": "\u202e3.4萬人\u202c",
}
QUESTIONS = {
    "1.1億元": "向全省養老機構撥付的疫情防控補助和運營補貼是多少？",
    "58.68億元": "疫情期間低保金一共發放了多少？",
    "3.4萬人": "異地救助了多少人？",
}
TITLE = "黑龍江省民政\x1b]0;you have been pwned\x07工作綜述"
SECTION = "兜底\x9b2J保障\u2066工作\u2069"
#: What must never reach a screen raw: the report's own escapes and controls.
RAW = re.compile("[\x00\x07\x1b\x9b\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, embedder) -> tuple[ReportQA, object]:
    """An index of the bundled report's paragraphs as JSONL, figures wrapped in hostile bytes."""
    folder = tmp_path_factory.mktemp("hostile")
    lines = [line for line in REPORT.read_text(encoding="utf-8").splitlines() if len(line) > 40]
    rows = []
    for n, line in enumerate(lines):
        for figure, wrapped in WRAPPED.items():
            line = line.replace(figure, wrapped)
        rows.append({"id": f"p{n}", "text": line, "title": TITLE, "section": SECTION})
    source = folder / "hostile.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    build_index(source, folder / "index", model=embedder)
    return ReportQA.open(folder / "index", model=embedder), folder / "index"


def answers(qa: ReportQA):
    return {figure: qa.ask(question) for figure, question in QUESTIONS.items()}


def test_the_index_keeps_the_text_verbatim(hostile):
    qa, _ = hostile
    texts = [h.text for h in qa.retriever.search("低保金 58.68億元", k=3)]
    assert any("\x9b1m58.68億元\x00" in t for t in texts)
    assert qa.retriever.search("低保金", k=1)[0].title == TITLE


def test_the_view_strips_and_keeps_each_figure_marked(hostile):
    qa, _ = hostile
    for figure, answer in answers(qa).items():
        assert answer.found, figure
        marked = []
        for quote in view_answer(answer).quotes:
            assert not UNSAFE.search(quote.excerpt.text) and not UNSAFE.search(quote.place)
            marked += [quote.excerpt.text[a:b] for a, b in quote.excerpt.figures]
            assert "黑龍江省民政工作綜述" in quote.place and "兜底保障工作" in quote.place
        assert figure in marked, (figure, marked)
        quoted = [q.text for q in answer.quotes if figure in clean(q.text)]
        assert any(UNSAFE.search(t) for t in quoted)  # the answer itself stays verbatim


def test_the_terminal_shows_the_figures_in_bold_and_nothing_raw(hostile):
    qa, _ = hostile
    for figure, answer in answers(qa).items():
        out = io.StringIO()
        console = Console(file=out, force_terminal=True, color_system="standard", width=200)
        terminal.print_answer(console, view_answer(answer))
        shown = out.getvalue()
        ours = re.sub(r"\x1b\[[0-9;]*m", "", shown)  # rich's own styling, nothing else
        assert not RAW.search(ours), repr(shown)
        assert "31m" not in shown and "pwned" not in shown
        assert re.search(rf"\x1b\[1m(?:\x1b\[[0-9;]*m)*{re.escape(figure)}\x1b\[0m", shown)


def test_passages_are_stripped_too(hostile):
    qa, _ = hostile
    for passage in view_passages(qa.retriever.search("低保金發放", k=5), "zh-Hant"):
        assert not UNSAFE.search(passage.excerpt.text) and not UNSAFE.search(passage.place)
        for a, b in passage.excerpt.figures:
            assert passage.excerpt.text[a:b] in passage.hit.text  # the same characters


def test_telegram_bolds_the_figures_and_sends_nothing_raw(hostile):
    qa, _ = hostile
    html = TelegramHTML()
    for figure, answer in answers(qa).items():
        (message,) = html.answer(answer)
        assert not RAW.search(message)
        plain, entities = parse_html(message)
        bold = [
            plain[e["offset"] : e["offset"] + e["length"]] for e in entities if e["type"] == "bold"
        ]
        assert figure in bold
        for inline in html.inline_quotes(answer):
            assert not RAW.search(inline.title + inline.description + inline.html)


def test_json_stays_verbatim_but_escapes_what_a_terminal_would_act_on(hostile):
    qa, _ = hostile
    answer = answers(qa)["58.68億元"]
    text = as_json.answer_json(view_answer(answer))
    assert not RAW.search(text)  # written as \\u escapes
    data = json.loads(text)
    (quote,) = [q for q in data["quotes"] if "58.68億元" in q["text"]]
    assert "\x9b1m58.68億元\x00" in quote["text"]  # verbatim for a JSON reader
    figures = {quote["text"][f["start"] : f["end"]] for f in quote["figures"]}
    assert any("58.68億元" in f for f in figures)  # spans of the verbatim text


@pytest.mark.slow
def test_qa_ask_prints_nothing_raw(hostile):
    _, index = hostile
    for args in (["低保金一共發放了多少？"], ["低保金", "--passages"], ["低保金", "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "qa.cli", "ask", *args, "--index", str(index)],
            capture_output=True, text=True, cwd=ROOT, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "58.68億元" in done.stdout and not RAW.search(done.stdout + done.stderr)


# -- the stripping itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[1;31mb\x1b[0mc", "abc"),  # SGR colours
        ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x1b]0;title\x07b", "ab"),  # OSC window title, BEL-terminated
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 hyperlink, ST
        ("a\x9d0;t\x9cb", "ab"),  # 8-bit OSC and ST
        ("a\x1bPq#0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b]0;no terminator b", "a0;no terminator b"),  # shown, never swallowed
        ("a\x1bcb", "ab"),  # reset terminal
        ("line\r\nnext\tcol\x08\x7f", "line\nnext\tcol"),  # \r, backspace, DEL go
        ("x\u202ey\u202cz\u2066w\u2069\u200f", "xyzw\u200f"),  # overrides/isolates go
        ("段落\x00\x85中", "段落中"),  # NUL, C1 NEL
        ("a\x1b[", "a"),  # a cut-off CSI introducer goes whole
        ("a\x1b日b", "a日b"),  # a lone ESC goes, the text after it stays
    ],
)
def test_clean(raw, shown):
    assert clean(raw) == shown


def test_spans_move_with_the_stripped_text():
    raw = "共\x1b[31m1.1億元\x1b[0m，\x9b1m58.68億元\x00與\u202e3.4萬人\u202c"
    spans = [(raw.index(f), raw.index(f) + len(f)) for f in ("1.1億元", "58.68億元", "3.4萬人")]
    spans.append((raw.index("\x9b"), raw.index("58.68億元") + 7))  # starts inside a sequence
    spans.append((raw.index("\x1b"), raw.index("\x1b") + 5))  # wholly inside one: dropped
    text, moved = clean_with_spans(raw, spans)
    assert text == "共1.1億元，58.68億元與3.4萬人"
    assert [text[a:b] for a, b in moved] == ["1.1億元", "58.68億元", "3.4萬人", "58.68億元"]
    assert clean_with_spans("plain", [(0, 2)]) == ("plain", ((0, 2),))


def test_one_line_folds_whitespace_and_strips():
    assert one_line("error:\n  a\x1b[31m\tb\r\n") == "error: a b"


def test_the_bots_words_strip_the_values_they_echo():
    html = TelegramHTML()
    text = html.text("unknown_command", "en", command="/x\x1b[2J\u202e<b>")
    assert "\x1b" not in text and "\u202e" not in text and "&lt;b&gt;" in text
    assert "\x9b" not in html.plain("too_long", "en", length="5\x9b1m", limit=2000)
