"""Paragraphs, headings and notes of plain-text and Markdown reports.

A report comes either one paragraph per line or in blank-line separated blocks. Short
lines without figures or sentence punctuation are section headings (Markdown ``#`` lines
always are); trailing lines wholly in brackets — a photo credit, "(來源:…)" — are notes
about the document, not passages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qa.corpus.metadata import is_note_line

HEADING_MAX_CHARS = 40
_SENTENCE_END = tuple("。！？；.!?;…:：")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


@dataclass(frozen=True)
class Block:
    """One unit of a report's layout."""

    kind: str  # "heading" | "paragraph" | "note" | "title"
    text: str


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


def looks_like_heading(line: str) -> bool:
    """Short, no digits, no sentence punctuation at the end: a section heading."""
    text = line.strip()
    return (
        0 < len(text) <= HEADING_MAX_CHARS
        and not any(ch.isdigit() for ch in text)
        and not text.endswith(_SENTENCE_END)
    )


def blocks(text: str, *, markdown: bool = False) -> list[Block]:
    """Split a report's text into headings, paragraphs and trailing notes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK_LINE.search(text.strip()):
        raw = [join_lines(b.split("\n")) for b in _BLANK_LINE.split(text)]
    else:
        raw = [line.strip() for line in text.split("\n")]
    units = [u for u in raw if u]

    out: list[Block] = []
    for unit in units:
        md = _MD_HEADING.match(unit) if markdown else None
        if md:
            level = len(md.group(1))
            kind = "title" if level == 1 and not out else "heading"
            out.append(Block(kind, md.group(2)))
        elif not markdown and looks_like_heading(unit) and not is_note_line(unit):
            out.append(Block("heading", unit))
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
