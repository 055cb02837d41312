"""The figure sheet: every figure of a report, with what it counts or measures and where it
stands — for journalists and analysts who want all numbers of a report at once.

Figures are found by ``qa.answer.figures.extract_figures`` (value in base units, unit,
kind, qualifier). What a figure *measures* is the noun phrase around it, read off its
clause (the text between the clause punctuation around it, and between it and the
figures next to it) by one rule:

* a count — a number with a measure word (個, 份, 次, 名…), people, an ordinal, or a number
  with 萬/億 and no unit — counts the words after it: "60多份**工作要求和指南**",
  "186.3萬**困難群眾**", "第十四年**提高低保保障水平**";
* an amount, a share or a length of time (元, %, 個月…) measures the words before it, the
  subject of its clause, without the linking words between them (達, 為, 共計, 超過…):
  "發放**補助資金**3.1億元", "占**建檔立卡貧困總人口**51.4%";
* a date qualifies what follows it ("2020年**全省社會組織助力脫貧攻堅交流活動**");
* when its side of the clause is empty, the other side is taken ("異地救助3.4萬人" → the
  people are those of "異地救助").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.answer.figures import Figure, extract_figures
from qa.documents import Document, Passage
from qa.errors import UnknownDocumentError
from qa.index.catalog import indexed_passages
from qa.sentences import split_sentences

#: Characters of the measured phrase kept (a clause can run long).
MAX_PHRASE_CHARS = 24
_CLAUSE_END = frozenset("，,；;。！？!?：:、\n")
# Words between a subject and its figure ("捐贈款物達7.33億元") or before it ("占…").
_LINKS_AFTER = (
    "達到", "达到", "約為", "约为", "共計", "共计", "累計", "累计", "合計", "合计", "總計",
    "总计", "超過", "超过", "將近", "将近", "不少於", "不少于", "至少", "達", "达", "為",
    "为", "是", "共", "計", "计", "逾", "約", "约", "近", "有", "已", "的", "了",
)  # fmt: skip
_LINKS_BEFORE = ("占", "佔", "向", "對", "对", "將", "将", "為", "为", "給", "给")
_QUALIFIERS_AFTER = ("以上", "左右", "之多")
_COUNT_KINDS = frozenset({"count", "people", "ordinal"})


@dataclass(frozen=True)
class FigureRow:
    """One figure of a report: the figure (verbatim, value in base units, unit, kind,
    qualifier), what it measures, the sentence it stands in, and where."""

    doc: str
    document: str
    section: str | None
    paragraph: int | None
    passage_id: str
    figure: str
    value: float
    unit: str
    kind: str
    qualifier: str
    measures: str
    sentence: str


def _strip_words(
    text: str, *, suffixes: tuple[str, ...] = (), prefixes: tuple[str, ...] = ()
) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in suffixes:
            if text.endswith(word):
                text, changed = text[: -len(word)], True
        for word in prefixes:
            if text.startswith(word) and len(text) > len(word):
                text, changed = text[len(word) :], True
    return text


def measured(sentence: str, figure: Figure, figures: list[Figure]) -> str:
    """What ``figure`` (a span of ``sentence``) counts or measures (see the module
    docstring); ``figures`` are all figures of the sentence."""
    left = figure.start
    while left > 0 and sentence[left - 1] not in _CLAUSE_END:
        left -= 1
    right = figure.end
    while right < len(sentence) and sentence[right] not in _CLAUSE_END:
        right += 1
    for other in figures:
        if other.end <= figure.start:
            left = max(left, other.end)
        elif other.start >= figure.end:
            right = min(right, other.start)
    before = sentence[left : figure.start].strip()
    after = sentence[figure.end : right].strip()
    for word in _QUALIFIERS_AFTER:
        after = after.removeprefix(word)
    before = _strip_words(before, suffixes=_LINKS_AFTER, prefixes=_LINKS_BEFORE).strip()
    after = after.strip()
    counts = figure.kind in _COUNT_KINDS or (figure.unit == "" and figure.kind != "date")
    if figure.kind == "date" or counts:
        first, second = after[:MAX_PHRASE_CHARS], before[-MAX_PHRASE_CHARS:]
    else:
        first, second = before[-MAX_PHRASE_CHARS:], after[:MAX_PHRASE_CHARS]
    if not (first or second) and left > 0:
        # Nothing but linking words in its clause ("…投資計劃110.9%,達8985萬元"): the
        # clause before says what it measures.
        start = left - 1
        while start > 0 and sentence[start - 1] not in _CLAUSE_END:
            start -= 1
        second = _strip_words(sentence[start : left - 1], suffixes=_LINKS_AFTER)
        second = re.sub(r"[\d.,%％]+$", "", second)[-MAX_PHRASE_CHARS:]
    return _tidy(first or second)


def _tidy(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase).strip(" \u3000()（）“”\"'")


def figure_rows(documents: list[Document], passages: list[Passage]) -> list[FigureRow]:
    """Every figure of ``passages`` (in order), each with its sentence and what it measures."""
    titles = {d.id: d.title for d in documents}
    rows: list[FigureRow] = []
    for passage in passages:
        if passage.kind != "text":
            continue
        for start, end in split_sentences(passage.text):
            sentence = passage.text[start:end]
            figures = extract_figures(sentence)
            for f in figures:
                rows.append(
                    FigureRow(
                        doc=passage.doc,
                        document=passage.title or titles.get(passage.doc, passage.doc),
                        section=passage.section,
                        paragraph=passage.paragraph,
                        passage_id=passage.id,
                        figure=f.text,
                        value=f.value,
                        unit=f.unit,
                        kind=f.kind,
                        qualifier=f.qualifier,
                        measures=measured(sentence, f, figures),
                        sentence=sentence,
                    )
                )
    return rows


def select_documents(documents: list[Document], doc: str | None) -> list[Document]:
    """The report ``doc`` names — its id, or a title or path that names it alone — or every
    report when ``doc`` is ``None``. ``ArgumentError`` for a name that fits none."""
    if doc is None:
        return documents
    for exact in (lambda d: d.id == doc, lambda d: d.title == doc, lambda d: d.path == doc):
        found = [d for d in documents if exact(d)]
        if found:
            return found[:1]
    partial = [d for d in documents if doc in d.id or doc in d.title]
    if len(partial) == 1:
        return partial
    known = ", ".join(d.id for d in documents)
    raise UnknownDocumentError(f"the index has no report {doc!r}; it has: {known}")


def figure_sheet(doc: str | None = None, *, index_dir: str | Path | None = None) -> list[FigureRow]:
    """Every figure of the report ``doc`` (an id, or a title or path naming one report) in
    the index at ``index_dir`` (default ``QA_INDEX``) — of every report when ``doc`` is
    ``None`` — in report order: value, unit, kind, qualifier, what it measures, the
    sentence, section and paragraph. Reads the index's passages only (no model)."""
    documents, passages = indexed_passages(index_dir)
    return sheet_of(documents, passages, doc)


def sheet_of(
    documents: list[Document], passages: list[Passage], doc: str | None
) -> list[FigureRow]:
    """The figure sheet of ``doc`` (see ``figure_sheet``) from documents and passages."""
    chosen = {d.id for d in select_documents(documents, doc)}
    return figure_rows(
        [d for d in documents if d.id in chosen], [p for p in passages if p.doc in chosen]
    )


__all__ = ["FigureRow", "figure_rows", "figure_sheet", "measured", "select_documents"]
