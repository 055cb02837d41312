"""Lines read for what they are: the frame of a real report file and its wrapped lines.

A report saved from a web page, a PDF or a word processor carries more than the report:
the page's furniture (toolbars, breadcrumbs, "来源：…日报", share buttons, font-size
widgets), photo captions, the title, the dateline (——2026年1月27日在…人民代表大会…上), the
speaker's line (国务院总理 李克强) — and lines the page wrapped in the middle of a sentence.
None of these is a passage to quote. What each line is, is decided by its shape and its
neighbours, never by a list of one site's words:

* **wrapped lines** (``join_wrapped``): a line that ends where no sentence can end (after
  ，、 or 的, with a sentence already begun and not finished, a dateline cut before its
  venue ends, a token such as PM|2.5 cut in two) continues on the next line, and so does a
  short lead-in ending with a colon (各位代表： / 主要预期目标是：);
* **the frame** (``frame``): the dateline (a date, then 在 a venue 上) splits the head from
  the body; the title is the title-shaped line nearest above it (or a longer headline of
  the page that contains it); short lines right below it are the speaker; everything else
  above is furniture, except a source or a publication-time label, which is kept as a
  note. Without a dateline the body starts at the first paragraph-shaped line. After the
  last paragraph-shaped line comes the page's tail: bracketed notes are kept, the rest is
  furniture. A photo caption (a line ending with its credit, 记者 王鼎 摄) is a note
  wherever it stands;
* **headings** (``heading_level``): numbered (一、 （三） 第二部分 1. 一是…) or short lines
  without figures or sentence punctuation; their numbering gives their level.

The numbers (how short a furniture line is, how far down a dateline is looked for) are in
``qa.policy.IndexPolicy``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from qa.corpus.metadata import is_note_line, parse_date
from qa.lang import zh
from qa.text import fold_chars, is_cjk

_TERMINATORS = tuple("。！？!?…；;")
_CLOSING = tuple("”’」』)）》】]")
# A line opening with a copula and a colon (是：…) finishes the sentence of the line above
# (……主要预期目标 / 是：……).
_COPULA_COLON = re.compile(r"^[是为即有][：:]")
_NO_LINE_START = tuple("，,。、；;：:！？!?）)》」』”’%％")
_ORD = f"[{zh.ORDINAL_CHARS}]+"
_DIGIT = "0-9０-９"
_CN_NUM = "〇零一二三四五六七八九十"
_DATE = (
    rf"(?:[12１２](?:\s?[{_DIGIT}]){{3}}|[{_CN_NUM}]{{4}})\s*年\s*"
    rf"(?:[{_DIGIT}]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月\s*"
    rf"(?:[{_DIGIT}]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*日"
    rf"(?:\s*(?:[和至、—\-]|到)\s*(?:(?:[{_DIGIT}]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月\s*)?"
    rf"(?:[{_DIGIT}]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*日)?"
)
_DATELINE = re.compile(
    rf"^[\s—\-－─–]*[（(]?\s*(?P<date>{_DATE})\s*{zh.DATELINE_AT}(?P<venue>.+?)"
    rf"(?:{'|'.join(zh.DATELINE_ON)})\s*[)）]?\s*$"
)
_DATELINE_START = re.compile(rf"^[\s—\-－─–]*[（(]?\s*{_DATE}\s*{zh.DATELINE_AT}")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EN_DATELINE = re.compile(
    r"^[\s—\-–(]*(?:report\s+)?delivered\s+(?:at|to|before)\s+(?P<venue>.+?)\s+on\s+"
    rf"(?P<month>{'|'.join(_MONTHS)})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\W*$",
    re.IGNORECASE,
)
_LEVEL_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^(?:{_ORD}、|第{_ORD}(?:部分|章|篇)\s*)"), 1),
    (re.compile(rf"^(?:[（(]{_ORD}[）)]|第{_ORD}节\s*)"), 2),
    (re.compile(rf"^(?:[{_DIGIT}]{{1,2}}[.、．](?![{_DIGIT}])|[（(][{_DIGIT}]{{1,2}}[）)])"), 3),
    (re.compile(rf"^{_ORD}是"), 4),
)
# A page's label and its value (浏览次数：1234, 责任编辑：王某): chrome, never a title.
_LABELLED = re.compile(r"^[^：:，,。\s]{1,6}[：:]")
# A page's breadcrumb trail: 首页 > 新闻中心 > 政务要闻.
_BREADCRUMB = re.compile(r"\s[>›»/]\s|[>›»]{1}\s*\S+\s*[>›»]")
_SALUTATION = re.compile(r"^[^，。,.；;！？!?\s]{2,8}[：:！!]")
_DATE_ONLY = re.compile(
    rf"^[{_DIGIT}]{{4}}\s*[-/.年]\s*[{_DIGIT}]{{1,2}}\s*[-/.月]\s*[{_DIGIT}]{{1,2}}\s*日?"
    rf"(?:\s+[{_DIGIT}]{{1,2}}:[{_DIGIT}]{{2}}(?::[{_DIGIT}]{{2}})?)?$"
)


@dataclass(frozen=True)
class Frame:
    """A document's frame, read off its lines, and its body."""

    #: The document's own title, and the lines between it and the dateline (a subtitle).
    title: str | None = None
    subtitle: str | None = None
    #: The dateline as written, the date it gives (ISO), the venue it names.
    dateline: str | None = None
    delivered: str | None = None
    venue: str | None = None
    #: Who delivered it (国务院总理 李克强).
    speaker: str | None = None
    #: Lines about the document, kept verbatim: captions, the page's source and time labels.
    notes: list[str] = field(default_factory=list)
    #: The lines of the report itself, in order.
    body: list[str] = field(default_factory=list)
    #: Lines of the page that are neither the report nor about it (furniture).
    dropped: list[str] = field(default_factory=list)


def _stripped(line: str) -> str:
    return line.strip(" \t\u3000\xa0")


_SENTENCE_END = re.compile(
    r"[。！？!?…；;][”’」』)）》】\]]*(?:[（(][^（）()]{1,8}[)）])?\s*$|[.][”’\")]*\s*$"
)


def ends_sentence(line: str) -> bool:
    """The line ends where a sentence can end: a terminator, maybe closed by a quote or
    followed by a bracketed aside (……十周年。（鼓掌）)."""
    return bool(_SENTENCE_END.search(line))


def _has_terminator_inside(line: str) -> bool:
    return any(ch in "。！？!?；;" for ch in line[:-1])


def is_dateline(line: str) -> bool:
    """——2026年1月27日在…人民代表大会…上, (2026年1月27日在…上), and English "Delivered at
    … on March 5, 2017"."""
    text = _stripped(line)
    if len(text) <= 80 and _DATELINE.match(text):
        return True
    return len(text) <= 200 and bool(_EN_DATELINE.match(text))


def dateline_starts(line: str) -> bool:
    """The line begins a dateline (its date, then 在), maybe cut before the venue ends."""
    return bool(_DATELINE_START.match(_stripped(line)))


def heading_level(line: str) -> int | None:
    """The level a numbered line's marker gives (一、 1; （一） 2; 1. 3; 一是 4), else None."""
    text = _stripped(line)
    for pattern, level in _LEVEL_MARKERS:
        if pattern.match(text):
            return level
    return None


def _continues(line: str, nxt: str) -> bool:
    """``line`` was cut by the page's layout and ``nxt`` carries on its sentence."""
    if not line or not nxt:
        return False
    if is_caption(line) or is_caption(nxt):
        return False
    if heading_level(nxt) is not None or is_dateline(nxt) or _DATELINE_START.match(nxt):
        return False
    last = line[-1]
    if _DATELINE_START.match(line) and not is_dateline(line):
        return True  # a dateline cut before its venue ends
    if (
        last.isascii()
        and last.isalpha()
        and nxt[0].isascii()
        and (nxt[0].isdigit() or nxt[0] == ".")
    ):
        return True  # PM|2.5, CO|2
    if ends_sentence(line):
        return False
    if nxt.startswith(_NO_LINE_START) or _COPULA_COLON.match(nxt):
        return True
    if last in "，,、—-－（(“‘「『《【":
        return True
    if fold_chars(last) in zh.CONTINUING_ENDS and is_cjk(last):
        return True
    # A sentence begun on this line and not finished (…十分重要。今年经济社会发展的).
    return _has_terminator_inside(line) and not line.endswith(("：", ":"))


def _lead_in(line: str, nxt: str | None, max_chars: int) -> bool:
    """A short line ending with a colon introduces the sentence after it (各位代表：)."""
    return (
        nxt is not None
        and ends_sentence(nxt)
        and len(line) <= max_chars
        and line.endswith(("：", ":"))
        and heading_level(line) is None
        and heading_level(nxt) is None
        and not is_dateline(nxt)
    )


#: A page number as printed on its own line: 3, - 3 -, — 3 —, 第3页, 3/12, Page 3 of 12.
PAGE_NUMBER = re.compile(
    r"^[\s\-–—_·•|]*(?:page\s*)?(?:第\s*)?\d{1,4}(?:\s*[页頁])?"
    r"(?:\s*(?:/|／|of|共)\s*\d{1,4}\s*[页頁]?)?[\s\-–—_·•|]*$",
    re.IGNORECASE,
)


def furniture_key(line: str) -> str:
    """A line with its numbers blanked: running headers differ only by page number."""
    return re.sub(r"\d+", "#", line.strip())


def drop_page_furniture(lines: list[str], *, repeated: int = 3, max_chars: int = 30) -> list[str]:
    """``lines`` without page numbers and running headers or footers — a short line that
    recurs (numbers aside) at least ``repeated`` times, as a paginated document's export
    to text carries on every page. Sentences, lead-ins and numbered headings never count:
    a speech may repeat its 各位代表！"""
    counts: dict[str, int] = {}
    for line in lines:
        text = _stripped(line)
        if text:
            key = furniture_key(text)
            counts[key] = counts.get(key, 0) + 1
    out: list[str] = []
    for line in lines:
        text = _stripped(line)
        if text and PAGE_NUMBER.match(text):
            continue
        if (
            text
            and counts.get(furniture_key(text), 0) >= repeated
            and len(text) <= max_chars
            and not ends_sentence(text)
            and not text.endswith(("：", ":", "！", "!"))
            and heading_level(text) is None
        ):
            continue
        out.append(line)
    return out


def join_wrapped(lines: list[str], *, lead_in_chars: int = 12) -> list[str]:
    """Non-blank lines joined back into the paragraphs a page's layout cut (see the module
    docstring); a wrap in Chinese text hides no space, between Latin words one."""
    units = [s for line in lines if (s := _stripped(line))]
    out: list[str] = []
    for line in units:
        if out and (_continues(out[-1], line) or _lead_in(out[-1], line, lead_in_chars)):
            prev = out[-1]
            space = (
                " "
                if prev[-1].isascii()
                and prev[-1].isalpha()
                and line[0].isascii()
                and line[0].isalpha()
                else ""
            )
            out[-1] = prev + space + line
        else:
            out.append(line)
    return out


def _letters(text: str) -> int:
    return sum(1 for ch in text if is_cjk(ch) or (ch.isascii() and ch.isalpha()))


def paragraph_shaped(line: str, *, min_chars: int) -> bool:
    """A line of running text: a sentence that ends, or a long line."""
    return (ends_sentence(line) and _letters(line) >= min_chars) or _letters(line) >= 3 * min_chars


def furniture_shaped(line: str, *, max_chars: int) -> bool:
    """A line of a page's chrome: a word or two (下载, 首页, >), a bare label (阅读量：), a
    date and time, a bracket or a symbol."""
    text = _stripped(line)
    if _letters(text) <= max_chars and not any(ch.isdigit() for ch in text):
        return True
    if text.endswith(("：", ":")) and _letters(text) <= 2 * max_chars:
        return True
    if _LABELLED.match(text) and len(text) <= 6 * max_chars:
        return True  # 浏览次数：1234, 发布日期：2025-01-20 10:32
    if _DATE_ONLY.match(text) or _BREADCRUMB.search(text):
        return True
    return text.startswith(("【", "[")) or text.endswith(("】", "]"))


_REPORTER = re.compile(
    rf"(?:{'|'.join(zh.REPORTERS)})\s*[^\s，。,.；;：:！？]{{1,5}}(?:\s*\S{{1,4}})?$"
)


def is_caption(line: str) -> bool:
    """A photo caption: it ends with the photographer's credit (记者 王鼎 摄, 供图, or the
    reporter's name alone: ……甘肃日报记者 盛学卿)."""
    text = fold_chars(_stripped(line))
    if text.endswith(zh.CAPTION_ENDS):
        tail = text[-14:]
        return any(r in tail for r in zh.REPORTERS) or bool(re.search(r"\s\S{1,8}$", text))
    credit = _REPORTER.search(text[-16:])
    return credit is not None and any(
        ch in "。！？!?" for ch in text[: len(text) - 16 + credit.start()]
    )


def _label(line: str, labels: tuple[str, ...]) -> bool:
    return fold_chars(_stripped(line)).startswith(labels)


def title_shaped(line: str, *, max_chars: int) -> bool:
    """A title: a short line of words that does not end a sentence or introduce a list."""
    text = _stripped(line)
    return (
        _letters(text) >= 4
        and len(text) <= max_chars
        and not ends_sentence(text)
        and not text.endswith(("：", ":"))
        and not _DATE_ONLY.match(text)
        and not is_note_line(text)
        and not is_caption(text)
        and not _label(text, zh.SOURCE_LABELS + zh.PUBLISHED_LABELS)
        and not _LABELLED.match(text)
        and not _BREADCRUMB.search(text)
    )


def delivered_on(dateline: str) -> str | None:
    """The date a dateline gives, as ISO 8601 (二〇二六年一月二十七日 → 2026-01-27)."""
    text = _stripped(dateline)
    english = _EN_DATELINE.match(text)
    if english:
        month = _MONTHS.index(english["month"].lower()) + 1
        return f"{int(english['year']):04d}-{month:02d}-{int(english['day']):02d}"
    m = _DATELINE.match(text)
    if not m:
        return None
    date = re.sub(r"\s", "", unicodedata.normalize("NFKC", m["date"]))
    parts = re.match(r"(.+?)年(.+?)月(.+?)日", date)
    if not parts:
        return None
    from qa.numerals import chinese_numeral

    values = []
    for part in parts.groups():
        if part.isdigit():
            values.append(int(part))
        else:
            read = chinese_numeral(part) if len(part) != 4 else None
            if len(part) == 4:
                digits = "".join(
                    str(int(read_ch[0])) for ch in part if (read_ch := chinese_numeral(ch))
                )
                values.append(int(digits) if len(digits) == 4 else 0)
            else:
                values.append(int(read[0]) if read else 0)
    return parse_date("{}-{}-{}".format(*values))


def venue_of(dateline: str) -> str | None:
    text = _stripped(dateline)
    m = _DATELINE.match(text) or _EN_DATELINE.match(text)
    return m["venue"].strip() if m else None


@dataclass(frozen=True)
class FrameRules:
    """The numbers of ``frame`` (from ``qa.policy.IndexPolicy``)."""

    head_lines: int = 40
    furniture_chars: int = 4
    paragraph_chars: int = 12
    title_chars: int = 60
    speaker_chars: int = 30
    speaker_lines: int = 2
    caption_lines: int = 2


LineKind = str  # "title" | "subtitle" | "dateline" | "speaker" | "note" | "furniture" | "body"


def frame(
    lines: list[str],
    rules: FrameRules | None = None,
    *,
    structure: Callable[[str], bool] | None = None,
) -> Frame:
    """Read a report's frame off its (joined) lines: see the module docstring. Lines for
    which ``structure`` holds are the document's own marked structure (a Markdown ``##``
    heading), never furniture or the title."""
    rules = rules or FrameRules()
    kinds = frame_kinds(lines, rules)
    if structure is not None:
        kinds = [
            "body" if structure(line) and k in ("title", "subtitle", "furniture") else k
            for line, k in zip(lines, kinds, strict=True)
        ]
    notes: list[str] = []
    skip = -1
    for i, kind in enumerate(kinds):
        if kind == "note" and i != skip:
            text = _note_text(lines, i)
            if text != lines[i]:
                skip = i + 1  # the label's value, read with it
            notes.append(text)

    def joined(kind: str) -> str | None:
        return " ".join(line for line, k in zip(lines, kinds, strict=True) if k == kind) or None

    dateline = joined("dateline")
    title = joined("title")
    return Frame(
        title=title,
        subtitle=joined("subtitle"),
        dateline=dateline,
        delivered=delivered_on(dateline) if dateline else None,
        venue=venue_of(dateline) if dateline else None,
        speaker=joined("speaker"),
        notes=notes,
        body=[line for line, k in zip(lines, kinds, strict=True) if k == "body"],
        dropped=[
            line
            for i, (line, k) in enumerate(zip(lines, kinds, strict=True))
            if k == "furniture" or (k == "note" and i == skip)
        ],
    )


def frame_kinds(lines: list[str], rules: FrameRules | None = None) -> list[LineKind]:
    """What each line is: part of the frame (title, subtitle, dateline, speaker, a note),
    page furniture, or the body of the report."""
    rules = rules or FrameRules()
    n = len(lines)
    kinds: list[LineKind] = ["body"] * n
    if not lines:
        return kinds
    labels = zh.SOURCE_LABELS + zh.PUBLISHED_LABELS

    def chrome(i: int) -> bool:
        return furniture_shaped(lines[i], max_chars=rules.furniture_chars)

    def head_kind(i: int) -> LineKind:
        return "note" if _keep_as_note(lines, i) else "furniture"

    first_paragraph = next(
        (
            i
            for i, line in enumerate(lines)
            if paragraph_shaped(line, min_chars=rules.paragraph_chars) and not is_caption(line)
        ),
        n,
    )
    window = min(rules.head_lines, first_paragraph + 1, n)
    dateline_at = next((i for i in range(window) if is_dateline(lines[i])), None)

    title_at: int | None
    if dateline_at is not None:
        kinds[dateline_at] = "dateline"
        above = [
            i
            for i in range(dateline_at)
            if title_shaped(lines[i], max_chars=rules.title_chars) and not chrome(i)
        ]
        # The title block: the title-shaped lines right above the dateline (only chrome
        # and labels between them and it).
        block: list[int] = []
        for i in reversed(above):
            if block and i != block[-1] - 1:
                break
            between = range(i + 1, dateline_at)
            if not block and any(not chrome(j) and not _label(lines[j], labels) for j in between):
                break
            block.append(i)
        block.reverse()
        for i in range(dateline_at):
            kinds[i] = head_kind(i)
        if block:
            title_at = block[0]
            # A page's headline above the document's own title, holding it, is fuller
            # (2026年宁夏回族自治区政府工作报告 over 政府工作报告).
            fuller = [
                i
                for i in above
                if i < title_at
                and lines[title_at] in lines[i]
                and len(lines[i]) > len(lines[title_at])
            ]
            if fuller:
                kinds[title_at] = "furniture"
                title_at = fuller[-1]
            kinds[title_at] = "title"
            for i in block[1:]:
                kinds[i] = "subtitle"
        body_start = dateline_at + 1
        speakers = 0
        while body_start < n:
            line = lines[body_start]
            if is_caption(line) or _keep_as_note(lines, body_start):
                kinds[body_start] = "note"
            elif (
                speakers < rules.speaker_lines
                and _letters(line) >= 2
                and len(line) <= rules.speaker_chars
                and not ends_sentence(line)
                and not line.endswith(("：", ":"))
                and heading_level(line) is None
                and not any(ch.isdigit() for ch in line)
            ):
                kinds[body_start] = "speaker"
                speakers += 1
            elif chrome(body_start) and not ends_sentence(line):
                kinds[body_start] = "furniture"
            else:
                # A speech opens with its salutation (各位代表：); a line or two before it,
                # after the speaker, is a caption whose credit the page lost.
                ahead = lines[body_start : body_start + rules.caption_lines + 1]
                opening = next((k for k, nxt in enumerate(ahead) if _SALUTATION.match(nxt)), None)
                for k in range(opening or 0):
                    kinds[body_start + k] = "note"
                body_start += opening or 0
                break
            body_start += 1
    else:
        head_end = first_paragraph
        # Numbered headings right above the first paragraph are the body's own.
        while head_end > 0 and heading_level(lines[head_end - 1]) is not None:
            head_end -= 1
        candidates = [
            i
            for i in range(head_end)
            if title_shaped(lines[i], max_chars=rules.title_chars) and not chrome(i)
        ]
        title_at = max(candidates, key=lambda i: (len(lines[i]), i)) if candidates else None
        if head_end == 1:
            # A lone short line over the first paragraph: the section heading it has always
            # been read as (the report's title is then read off its first section).
            head_end, title_at = 0, None
        body_start = head_end
        for i in range(head_end):
            if title_at is None and not chrome(i) and not _label(lines[i], labels):
                body_start = i  # no title, and not chrome: the body begins here
                break
            kinds[i] = "title" if i == title_at else head_kind(i)
        if title_at is not None:
            body_start = max(body_start, title_at + 1)

    last_paragraph = max(
        (
            i
            for i in range(body_start, n)
            if paragraph_shaped(lines[i], min_chars=rules.paragraph_chars)
            and not is_caption(lines[i])
        ),
        default=n - 1,
    )
    for i in range(body_start, n):
        if is_caption(lines[i]):
            kinds[i] = "note"
        elif i > last_paragraph:
            kinds[i] = "note" if is_note_line(lines[i]) else "furniture"
    return kinds


def _keep_as_note(head: list[str], i: int) -> bool:
    """Head lines kept as notes: captions, and the page's source and time labels."""
    line = head[i]
    return (
        is_caption(line)
        or _label(line, zh.SOURCE_LABELS + zh.PUBLISHED_LABELS)
        or _DATE_ONLY.match(line) is not None
    )


def _note_text(head: list[str], i: int) -> str:
    """A label whose value the page put on the next line (来源： / 宁夏日报客户端) reads as one."""
    line = head[i]
    labels = zh.SOURCE_LABELS + zh.PUBLISHED_LABELS
    if _label(line, labels) and line.endswith(("：", ":")) and i + 1 < len(head):
        return line + head[i + 1]
    return line


__all__ = [
    "PAGE_NUMBER",
    "Frame",
    "FrameRules",
    "dateline_starts",
    "delivered_on",
    "drop_page_furniture",
    "ends_sentence",
    "frame",
    "frame_kinds",
    "furniture_key",
    "furniture_shaped",
    "heading_level",
    "is_caption",
    "is_dateline",
    "join_wrapped",
    "paragraph_shaped",
    "title_shaped",
    "venue_of",
]
