"""The JSON back end: answers and passages as machine-readable JSON (``qa ask --json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import overload

from qa.answer import Citation, Figure
from qa.documents import Document
from qa.present.view import AnswerView, QuoteView
from qa.retrieve import Hit


def figure(f: Figure) -> dict:
    """A figure: its text and span, its value in base units, unit, kind and qualifier."""
    return {
        "text": f.text,
        "start": f.start,
        "end": f.end,
        "value": f.value,
        "unit": f.unit,
        "kind": f.kind,
        "qualifier": f.qualifier,
    }


def citation(c: Citation) -> dict:
    return {
        "document": c.document,
        "section": c.section,
        "paragraph": c.paragraph,
        "source": c.source,
        "date": c.date,
        "doc_id": c.doc_id,
        "passage_id": c.passage_id,
    }


def hit(h: Hit) -> dict:
    """A retrieved passage with its score and where it stands."""
    d = h.document
    return {
        "id": h.id,
        "text": h.text,
        "score": round(h.score, 6),
        "doc": h.doc,
        "title": h.title or (d.title if d else None),
        "section": h.section,
        "paragraph": h.paragraph,
        "kind": h.kind,
        "source": d.source if d else None,
        "date": d.date if d else None,
    }


def _quote(q: QuoteView) -> dict:
    return {
        "text": q.quote.text,
        "figures": [figure(f) for f in q.quote.figures],
        "citation": citation(q.quote.citation),
        "span": [q.quote.start, q.quote.end],
    }


@overload
def document(d: Document) -> dict: ...
@overload
def document(d: None) -> None: ...
@overload
def document(d: Document | None) -> dict | None: ...
def document(d: Document | None) -> dict | None:
    """A report's metadata, with where each value came from."""
    if d is None:
        return None
    return {
        "id": d.id,
        "title": d.title,
        "year": d.year,
        "region": d.region,
        "source": d.source,
        "date": d.date,
        "publisher": d.publisher,
        "speaker": d.speaker,
        "reviews": d.reviews.label() if d.reviews else None,
        "plans": d.plans.label() if d.plans else None,
        "path": d.path,
        "origins": dict(d.origins),
    }


def _part(view: AnswerView) -> dict:
    answer = view.answer
    topic = answer.topic
    return {
        "heading": view.heading,
        "found": answer.found,
        "message": view.message,
        "reason": answer.reason.value if answer.reason is not None else None,
        "topic": {
            "year": topic.year if topic else None,
            "region": topic.region.name if topic and topic.region else None,
            "role": topic.role if topic else None,
            "report_year": topic.report_year if topic else None,
        },
        "report": document(answer.report),
        "quotes": [_quote(q) for q in view.quotes],
    }


def _table(view: AnswerView) -> dict | None:
    """A table answer's rows: what each is for, the figure (verbatim, value in base units,
    unit, role) and its quote with citation — or ``found: false``."""
    table = view.table
    if table is None:
        return None
    return {
        "by": table.by,
        "rows": [
            {
                "label": row.label,
                "region": row.region,
                "year": row.year,
                "found": row.quote is not None,
                "role": row.role_code if row.quote is not None else None,
                "figure": row.figure or None,
                "value": row.value,
                "unit": row.unit,
                "report": row.report,
                "quote": _quote(row.quote) if row.quote is not None else None,
            }
            for row in table.rows
        ],
    }


def answer_data(view: AnswerView, *, passages: int = 3) -> dict:
    """The answer as a JSON object: whether it was found, the reply's own message, the
    decline reason, the quotes, the related passages and the top ``passages`` retrieved;
    the report quoted (with several reports indexed); and for a comparison or reports
    answering closely, ``parts``: one object per report or year/region asked, in order,
    each with its heading, quotes or decline (``parts_kind`` says which)."""
    answer = view.answer
    return {
        "question": answer.question,
        "found": answer.found,
        "language": answer.language,
        "message": view.message,
        "reason": answer.reason.value if answer.reason is not None else None,
        "quotes": [_quote(q) for q in view.quotes],
        "related": [hit(p.hit) for p in view.related],
        "passages": [hit(h) for h in answer.hits[:passages]],
        "report": document(answer.report),
        "parts_kind": answer.parts_kind.value if answer.parts_kind else None,
        "parts": [_part(p) for p in view.parts],
        "intent": answer.intent.to_json() if answer.intent is not None else None,
        "table": _table(view),
        "context": view.context or None,
    }


def sources_data(documents: Sequence[Document]) -> list[dict]:
    """Every indexed report with its metadata and each value's origin (``qa sources``)."""
    return [document(d) for d in documents]


#: Characters ``json.dumps(ensure_ascii=False)`` leaves raw that a terminal acts on: DEL, the
#: C1 controls (0x9b starts an escape sequence) and the bidi overrides (C0 it escapes itself).
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def dumps(data: object) -> str:
    """JSON text as Report QA prints it: UTF-8 characters as they are, indented — but for
    control characters and bidi overrides, written as ``\\uXXXX`` escapes: the values stay
    verbatim for a JSON reader, and a terminal shows the JSON as it is."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # Such characters can only stand inside JSON strings, where an escape means the same.
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def answer_json(view: AnswerView, *, passages: int = 3) -> str:
    return dumps(answer_data(view, passages=passages))


def hits_json(question: str, hits: Sequence[Hit]) -> str:
    return dumps({"question": question, "hits": [hit(h) for h in hits]})
