"""Score retrieval and answers on a question file (JSON Lines), in one of two formats:

* **passage format** (one report): ``{"id", "lang"?, "question", "answerable",
  "gold_anchor"?, "gold_anchor_2"?, "figures"?, "kind"?}`` — ``gold_anchor`` is a verbatim
  piece of the passage that answers; ``figures`` the figures the answer must show;
* **quote format** (an archive of reports): ``{"id", "lang"?, "kind", "question",
  "gold": [{"file", "quote", "figure"}]}`` — ``kind`` is ``single``, ``comparison`` or
  ``unanswerable``; each gold entry names a report file (a path ending, such as
  ``provincial/2026_广东省_政府工作报告.txt``), a verbatim quote of it and the figure in the
  quote that answers. Scored on answers: the right report first, the right figure first (the
  first quote covers the gold figure where the gold quote stands), comparisons with every
  part right, unanswerable questions declined, answerable ones declined.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import qa.jsonl as jsonl
from qa.answer import DeclineReason, Quote, ReportQA
from qa.errors import SourceError
from qa.retrieve import Hit, Retriever

REQUIRED = ("id", "question", "answerable")


@dataclass(frozen=True)
class GoldQuote:
    """Where the answer stands: a report file (a path ending), a verbatim quote of it and
    the figure in that quote that answers."""

    file: str
    quote: str
    figure: str


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation file (either format, see the module docstring)."""

    id: str
    question: str
    answerable: bool
    lang: str = "?"
    kind: str = "?"
    gold_anchor: str | None = None
    gold_anchor_2: str | None = None
    figures: tuple[str, ...] = ()
    #: Quote format: one entry per report that answers (empty in the passage format).
    gold: tuple[GoldQuote, ...] = ()


def read_questions(path: str | Path) -> list[EvalQuestion]:
    """Read an evaluation file; malformed lines are a ``SourceError`` naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not valid UTF-8") from exc
    out: list[EvalQuestion] = []
    for n, row in jsonl.objects(path, text):
        if "gold" in row:
            out.append(_quote_format(path, n, row))
            continue
        if any(k not in row for k in REQUIRED):
            raise SourceError(f"{path}:{n}: needs the keys {', '.join(REQUIRED)}")
        if row["answerable"] and not row.get("gold_anchor"):
            raise SourceError(f"{path}:{n}: an answerable question needs a gold_anchor")
        out.append(
            EvalQuestion(
                id=str(row["id"]),
                question=str(row["question"]),
                answerable=bool(row["answerable"]),
                lang=str(row.get("lang") or "?"),
                kind=str(row.get("kind") or "?"),
                gold_anchor=row.get("gold_anchor"),
                gold_anchor_2=row.get("gold_anchor_2"),
                figures=tuple(row.get("figures") or ()),
            )
        )
    if not out:
        raise SourceError(f"{path}: no questions")
    return out


QUOTE_KINDS = ("single", "comparison", "unanswerable")


def _quote_format(path: Path, n: int, row: dict) -> EvalQuestion:
    where = f"{path}:{n}"
    if any(k not in row for k in ("id", "question", "kind")):
        raise SourceError(f"{where}: needs the keys id, question, kind, gold")
    kind = row["kind"]
    if kind not in QUOTE_KINDS:
        raise SourceError(f"{where}: kind must be one of {', '.join(QUOTE_KINDS)}, not {kind!r}")
    gold = row["gold"]
    if not isinstance(gold, list) or not all(isinstance(g, dict) for g in gold):
        raise SourceError(f"{where}: gold must be a list of {{file, quote, figure}} objects")
    entries = []
    for g in gold:
        if not all(isinstance(g.get(k), str) and g.get(k) for k in ("file", "quote", "figure")):
            raise SourceError(f"{where}: each gold entry needs file, quote and figure (text)")
        if g["figure"] not in g["quote"]:
            raise SourceError(f"{where}: the figure {g['figure']!r} is not in its quote")
        entries.append(GoldQuote(g["file"], g["quote"], g["figure"]))
    if (kind == "unanswerable") != (not entries):
        raise SourceError(f"{where}: an unanswerable question has no gold; others need some")
    return EvalQuestion(
        id=str(row["id"]),
        question=str(row["question"]),
        answerable=kind != "unanswerable",
        lang=str(row.get("lang") or "?"),
        kind=kind,
        figures=tuple(g.figure for g in entries),
        gold=tuple(entries),
    )


@dataclass
class QuestionResult:
    id: str
    lang: str
    kind: str
    question: str
    rank: int | None  # 1-based rank of the first passage holding the gold anchor
    rank_2: int | None = None  # same for gold_anchor_2 (multi-passage questions)
    top: list[str] = field(default_factory=list)  # ids of the top passages


@dataclass
class EvalReport:
    """Retrieval hit rates over answerable questions, overall and by language and kind."""

    results: list[QuestionResult]
    k: int

    def _rate(self, rs: list[QuestionResult], at: int) -> float:
        return sum(1 for r in rs if r.rank is not None and r.rank <= at) / len(rs) if rs else 0.0

    def summary(self) -> dict:
        def block(rs: list[QuestionResult]) -> dict:
            return {"n": len(rs), "hit@1": self._rate(rs, 1), "hit@3": self._rate(rs, 3)}

        by_lang: dict[str, list[QuestionResult]] = defaultdict(list)
        by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
        for r in self.results:
            by_lang[r.lang].append(r)
            by_kind[r.kind].append(r)
        multi = [r for r in self.results if r.rank_2 is not None or r.kind == "multi"]
        return {
            "overall": block(self.results),
            "by_lang": {k: block(v) for k, v in sorted(by_lang.items())},
            "by_kind": {k: block(v) for k, v in sorted(by_kind.items())},
            "multi_both@3": (
                sum(1 for r in multi if (r.rank or 99) <= 3 and (r.rank_2 or 99) <= 3) / len(multi)
                if multi
                else None
            ),
            "misses@1": [
                {"id": r.id, "lang": r.lang, "rank": r.rank, "question": r.question}
                for r in self.results
                if r.rank != 1
            ],
        }


def evaluate_retrieval(
    retriever: Retriever, questions: list[EvalQuestion], *, k: int = 10
) -> EvalReport:
    """Rank of the gold passage for every answerable question."""
    results: list[QuestionResult] = []
    for q in questions:
        if not q.answerable:
            continue
        hits = retriever.search(q.question, k=k)

        def rank_of(anchor: str | None, hits: list[Hit] = hits) -> int | None:
            if not anchor:
                return None
            return next((i for i, h in enumerate(hits, start=1) if anchor in h.text), None)

        results.append(
            QuestionResult(
                id=q.id,
                lang=q.lang,
                kind=q.kind,
                question=q.question,
                rank=rank_of(q.gold_anchor),
                rank_2=rank_of(q.gold_anchor_2),
                top=[h.id for h in hits[:3]],
            )
        )
    return EvalReport(results, k)


@dataclass
class AnswerResult:
    id: str
    lang: str
    kind: str
    question: str
    answerable: bool
    found: bool
    reason: DeclineReason | None
    figures: tuple[str, ...]
    missing: list[str]


def evaluate_answers(qa: ReportQA, questions: list[EvalQuestion]) -> dict:
    """Figure accuracy (every listed figure shown in the quotes), unanswerable questions
    declined, and answerable questions wrongly declined."""
    results: list[AnswerResult] = []
    for q in questions:
        answer = qa.ask(q.question)
        shown = " ".join(quote.text for quote in answer.quotes)
        results.append(
            AnswerResult(
                id=q.id,
                lang=q.lang,
                kind=q.kind,
                question=q.question,
                answerable=q.answerable,
                found=answer.found,
                reason=answer.reason,
                figures=q.figures,
                missing=[f for f in q.figures if f not in shown],
            )
        )
    figure_qs = [r for r in results if r.answerable and r.figures]
    unanswerable = [r for r in results if not r.answerable]
    answerable = [r for r in results if r.answerable]
    return {
        "figure_questions": len(figure_qs),
        "figures_shown": (
            sum(1 for r in figure_qs if not r.missing) / len(figure_qs) if figure_qs else None
        ),
        "unanswerable": len(unanswerable),
        "unanswerable_declined": sum(1 for r in unanswerable if not r.found),
        "answerable": len(answerable),
        "answerable_declined": sum(1 for r in answerable if not r.found),
        "problems": [
            {
                "id": r.id,
                "lang": r.lang,
                "question": r.question,
                "problem": (
                    "answered, but the report has no answer"
                    if not r.answerable and r.found
                    else f"declined ({r.reason.value if r.reason else None})"
                    if r.answerable and not r.found
                    else f"figures not shown: {', '.join(r.missing)}"
                ),
            }
            for r in results
            if (not r.answerable and r.found) or (r.answerable and (not r.found or r.missing))
        ],
    }


def _file_of(qa: ReportQA, doc_id: str) -> str:
    document = qa.documents.get(doc_id)
    return Path(document.path).as_posix() if document is not None and document.path else ""


def _quote_right(qa: ReportQA, quote: Quote, gold: GoldQuote) -> tuple[bool, bool]:
    """(right report, right figure) of ``quote`` for ``gold``: the quote comes from the gold
    file, and it covers the gold figure where the gold quote stands in the passage."""
    report = _file_of(qa, quote.citation.doc_id).endswith(gold.file)
    at = quote.passage_text.find(gold.quote)
    if not report or at < 0:
        return report, False
    figure = at + gold.quote.index(gold.figure)
    return True, quote.start <= figure and figure + len(gold.figure) <= quote.end


def evaluate_quotes(qa: ReportQA, questions: list[EvalQuestion]) -> dict:
    """Answers scored against gold quotes (the quote format): see the module docstring."""
    rows: list[dict] = []
    for q in questions:
        answer = qa.ask(q.question)
        parts = answer.parts or [answer]
        firsts = [p.quotes[0] for p in parts if p.found and p.quotes]
        checks = []
        for i, gold in enumerate(q.gold):
            # A comparison's i-th gold entry is answered by its i-th part (the order asked);
            # a single question by the answer's first quote.
            quote = firsts[i] if i < len(firsts) else None
            checks.append(_quote_right(qa, quote, gold) if quote is not None else (False, False))
        rows.append(
            {
                "id": q.id,
                "lang": q.lang,
                "kind": q.kind,
                "question": q.question,
                "found": answer.found,
                "reason": answer.reason.value if answer.reason else None,
                "report_right": bool(checks) and all(r for r, _ in checks),
                "figure_right": bool(checks) and all(f for _, f in checks),
                "first": firsts[0].text if firsts else None,
            }
        )

    def share(rs: list[dict], key: str) -> float | None:
        return sum(1 for r in rs if r[key]) / len(rs) if rs else None

    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    single = [r for r in rows if r["kind"] == "single"]
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in single:
        by_lang[r["lang"]].append(r)
    comparisons = [r for r in rows if r["kind"] == "comparison"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    return {
        "format": "quote",
        "questions": len(rows),
        "report_first": share(answerable, "report_right"),
        "figure_first": share(answerable, "figure_right"),
        "single": {
            "n": len(single),
            "report_first": share(single, "report_right"),
            "figure_first": share(single, "figure_right"),
            "by_lang": {
                lang: {"n": len(rs), "figure_first": share(rs, "figure_right")}
                for lang, rs in sorted(by_lang.items())
            },
        },
        "comparisons": len(comparisons),
        "comparisons_right": sum(1 for r in comparisons if r["figure_right"]),
        "unanswerable": len(unanswerable),
        "unanswerable_declined": sum(1 for r in unanswerable if not r["found"]),
        "answerable": len(answerable),
        "answerable_declined": sum(1 for r in answerable if not r["found"]),
        "problems": [
            {
                "id": r["id"],
                "lang": r["lang"],
                "question": r["question"],
                "problem": (
                    "answered, but no report answers it"
                    if r["kind"] == "unanswerable"
                    else f"declined ({r['reason']})"
                    if not r["found"]
                    else "wrong report first"
                    if not r["report_right"]
                    else "right report, wrong figure first"
                ),
                "first": r["first"],
            }
            for r in rows
            if (r["kind"] == "unanswerable") == r["found"]
            or (r["kind"] != "unanswerable" and not r["figure_right"])
        ],
    }


def evaluate(qa: ReportQA, questions: list[EvalQuestion]) -> dict:
    """Retrieval hit rates and answer checks on ``questions`` (what ``qa eval`` prints); for
    questions in the quote format, the answer checks of ``evaluate_quotes``."""
    if any(q.gold for q in questions):
        return evaluate_quotes(qa, questions)
    return {
        "retrieval": evaluate_retrieval(qa.retriever, questions).summary(),
        "answers": evaluate_answers(qa, questions),
    }
