"""Score retrieval (and answers) on a question file in the format of
``shared/eval/seed-dev.jsonl``: ``{"id", "lang", "question", "answerable", "gold_anchor",
"gold_anchor_2"?, "figures", "kind"}`` per line."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import qa.jsonl as jsonl
from qa.answer import DeclineReason, ReportQA
from qa.errors import SourceError
from qa.retrieve import Retriever

REQUIRED = ("id", "question", "answerable")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answerable: bool
    lang: str = "?"
    kind: str = "?"
    gold_anchor: str | None = None
    gold_anchor_2: str | None = None
    figures: tuple[str, ...] = ()


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

        def rank_of(anchor: str | None, hits=hits) -> int | None:
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


def evaluate(qa: ReportQA, questions: list[EvalQuestion]) -> dict:
    """Retrieval hit rates and answer checks on ``questions`` (what ``qa eval`` prints)."""
    return {
        "retrieval": evaluate_retrieval(qa.retriever, questions).summary(),
        "answers": evaluate_answers(qa, questions),
    }
