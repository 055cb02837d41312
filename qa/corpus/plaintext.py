"""Paragraphs, headings and notes of plain-text and Markdown reports.

A report comes either one paragraph per line or in blank-line separated blocks. Lines the
page wrapped are joined back, and the document's frame — page furniture, title, dateline,
speaker, captions — is read off (``qa.corpus.layout``). In the body, numbered lines
(一、 （三） 1. 一是…) and short lines without figures or sentence punctuation are section
headings (Markdown ``#`` lines always are), with the level their numbering gives; trailing
lines wholly in brackets — a photo credit, "(來源:…)" — are notes about the document, not
passages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qa.corpus.layout import (
    dateline_starts,
    drop_page_furniture,
    frame,
    heading_level,
    is_dateline,
    join_wrapped,
)
from qa.corpus.metadata import is_note_line

HEADING_MAX_CHARS = 40
_SENTENCE_END = tuple("。！？；.!?;…:：")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


@dataclass(frozen=True)
class Block:
    """One unit of a report's layout."""

    kind: str  # "heading" | "paragraph" | "note" | "title" | "subtitle" | "dateline" | "speaker"
    text: str
    #: A heading's level: 1 for 一、, 2 for （一）, 3 for 1., 4 for 一是; unnumbered headings
    #: sit below the numbered ones (``UNNUMBERED``).
    level: int = 0


#: The level of a heading without numbering.
UNNUMBERED = 5


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph as they were before wrapping.

    A line end inside a paragraph (a wrapped text file, a PDF or Word line break) is
    layout, not text. In Chinese text a wrap hides no space, even between
    digits or after an ASCII comma ("保障1" + "86.3萬"); in Latin text it hides the space
    between two words. So a space goes in only between two ASCII letters of an English
    phrase, or, in a mostly Latin paragraph, wherever neither side is a wide character.
    """
    lines = [stripped for line in lines if (stripped := line.strip())]
    letters = sum(ch.isascii() and ch.isalpha() for line in lines for ch in line)
    latin = letters > sum(_wide(ch) for line in lines for ch in line)
    out = ""
    for line in lines:
        if out and not (_wide(out[-1]) or _wide(line[0])):
            words = out[-1].isascii() and out[-1].isalpha() and line[0].isascii()
            if latin or (words and line[0].isalpha()):
                out += " "
        out += line
    return out


def _segments(block: str) -> list[list[str]]:
    """A blank-line separated block's lines, split where a dateline starts or ends: a
    title and its dateline are often set on consecutive lines with no blank between."""
    out: list[list[str]] = []
    for line in block.split("\n"):
        starts = is_dateline(line) or dateline_starts(line)
        if not out or starts or (out[-1] and is_dateline(join_lines(out[-1]))):
            out.append([])
        out[-1].append(line)
    return [seg for seg in out if any(s.strip() for s in seg)]


def looks_like_heading(line: str) -> bool:
    """Short, no digits, no sentence punctuation at the end: a section heading."""
    text = line.strip()
    return (
        0 < len(text) <= HEADING_MAX_CHARS
        and not any(ch.isdigit() for ch in text)
        and not text.endswith(_SENTENCE_END)
    )


def heading(line: str) -> Block | None:
    """``line`` as a section heading, or ``None`` when it is running text: a numbered line
    that is short and is not a paragraph of several sentences (一、2016年工作回顾,
    （三）扩大内需, 一是稳定经济增长。), or a short unnumbered line without figures or
    sentence punctuation."""
    text = line.strip()
    level = heading_level(text)
    if level is not None:
        inner = text[:-1] if text.endswith(("。", "；", ";", "：", ":")) else text
        if len(text) > HEADING_MAX_CHARS + 10 or any(ch in "。！？!?；;" for ch in inner):
            return None  # a numbered paragraph of several sentences
        if level == 4 and not text.endswith("。"):
            return None  # 一是…… without its full stop is a clause of running text
        return Block("heading", text, level)
    if looks_like_heading(text) and not is_note_line(text):
        return Block("heading", text, UNNUMBERED)
    return None


def blocks(text: str, *, markdown: bool = False) -> list[Block]:
    """Split a report's text into its frame (title, dateline, speaker, notes), headings,
    paragraphs and trailing notes; page furniture is left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK_LINE.search(text.strip()):
        raw = [join_lines(seg) for b in _BLANK_LINE.split(text) for seg in _segments(b)]
    else:
        raw = [line.strip() for line in text.split("\n")]
    units = join_wrapped(drop_page_furniture([u for u in raw if u]))
    md_title = None
    if markdown and units and (m := _MD_HEADING.match(units[0])) and len(m.group(1)) == 1:
        md_title, units = m.group(2), units[1:]
    framed = frame(units, structure=(lambda u: bool(_MD_HEADING.match(u))) if markdown else None)
    out: list[Block] = []
    title = md_title or framed.title
    if title:
        out.append(Block("title", title))
    for kind, value in (
        ("subtitle", framed.subtitle),
        ("dateline", framed.dateline),
        ("speaker", framed.speaker),
    ):
        if value:
            out.append(Block(kind, value))
    out.extend(Block("note", n) for n in framed.notes)

    for unit in framed.body:
        md = _MD_HEADING.match(unit) if markdown else None
        if md:
            out.append(Block("heading", md.group(2), len(md.group(1))))
        elif not markdown and (found := heading(unit)) is not None:
            out.append(found)
        else:
            out.append(Block("paragraph", unit))

    # Trailing bracketed lines are notes (credit, source); scan back from the end.
    i = len(out)
    while i > 0 and out[i - 1].kind == "paragraph" and is_note_line(out[i - 1].text):
        i -= 1
    out[i:] = [Block("note", b.text) for b in out[i:]]
    # A heading followed by nothing but headings/notes is still a heading; a lone short
    # "paragraph-less" document is all headings — keep such lines as paragraphs instead.
    if not any(b.kind == "paragraph" for b in out):
        out = [Block("paragraph", b.text) if b.kind == "heading" else b for b in out]
    return out
