"""The terminal back end: answers, passages and evaluation reports as rich text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from qa.present.safe import clean
from qa.present.view import AnswerView, Excerpt, PassageView

if TYPE_CHECKING:
    from qa.feedback import FeedbackStats

#: Characters of a related passage shown under a declined answer.
RELATED_EXCERPT_CHARS = 120


def marked(excerpt: Excerpt) -> Text:
    """The excerpt verbatim, figures in bold."""
    text = Text(excerpt.text)
    for start, end in excerpt.figures:
        text.stylize("bold", start, end)
    return text


def print_answer(console: Console, view: AnswerView, *, related: int = 3) -> None:
    """The quotes under a heading, each with its place; or the decline, up to ``related``
    related passages (not an answer) and a hint. An answer in parts (a comparison, or
    reports answering closely) prints each part under its own heading, in order. A
    follow-up's answer first says what it took over from the question before."""
    if view.context:
        console.print(Text(view.context, style="dim italic"))
    if view.table is not None:
        print_table(console, view)
        return
    if view.parts:
        console.print(Text(view.parts_heading, style="dim"))
        for part in view.parts:
            console.print()
            console.print(Text(part.heading, style="bold"))
            if part.found:
                _print_quotes(console, part)
            else:
                console.print(part.message)
        if not view.found:
            console.print(Text(view.hint, style="dim"))
        return
    if view.found:
        console.print(Text(view.heading, style="dim"))
        _print_quotes(console, view)
        return
    console.print(view.message)
    if view.related:
        console.print()
        console.print(Text(view.related_heading, style="dim"))
        for passage in view.related[:related]:
            text = passage.excerpt.text
            if len(text) > RELATED_EXCERPT_CHARS:
                text = text[:RELATED_EXCERPT_CHARS] + "…"
            console.print(Text(f"- {text}"), soft_wrap=True)
            console.print(Text("  — " + passage.place, style="dim"))
    console.print(Text(view.hint, style="dim"))


def print_table(console: Console, view: AnswerView) -> None:
    """A table answer: a row per report — what it is for, result or target, the figure in
    bold, the report's own words and where they stand; a report that states no such figure
    says so in its row."""
    from rich.table import Table

    table = view.table
    assert table is not None
    console.print(Text(view.heading, style="dim"))
    grid = Table(show_header=True, header_style="bold", show_lines=True, expand=False)
    for heading in table.headings:
        grid.add_column(heading, overflow="fold")
    for row in table.rows:
        if row.quote is None:
            grid.add_row(row.label, "", "", Text(f"{row.message} ({row.report})", style="dim"))
            continue
        words = marked(row.quote.excerpt)
        words.append("\n" + row.quote.place, style="dim")
        grid.add_row(row.label, row.role, Text(row.figure, style="bold"), words)
    console.print(grid)


def _print_quotes(console: Console, view: AnswerView) -> None:
    for quote in view.quotes:
        console.print(Text("> ").append(marked(quote.excerpt)), soft_wrap=True)
        console.print(Text("  — " + quote.place, style="dim"))


def print_passages(console: Console, passages: Sequence[PassageView]) -> None:
    """Retrieved passages, numbered, each with its place and score."""
    for n, passage in enumerate(passages, start=1):
        console.print(Text(f"{n}. {passage.place}  (score {passage.hit.score:.3f})", style="dim"))
        console.print(marked(passage.excerpt), soft_wrap=True)
        console.print()


def print_eval(console: Console, summary: dict) -> None:
    """A ``qa eval`` summary: retrieval hit rates, then answer checks and problems."""
    if summary.get("format") == "quote":
        print_quote_eval(console, summary)
        return
    print_retrieval_eval(console, summary["retrieval"])
    a = summary["answers"]
    console.print()
    if a["figures_shown"] is not None:
        console.print(
            f"figure questions with every listed figure shown: {a['figures_shown']:.3f} "
            f"({a['figure_questions']} questions)"
        )
    console.print(
        f"unanswerable questions declined: {a['unanswerable_declined']} of {a['unanswerable']}"
    )
    console.print(f"answerable questions declined: {a['answerable_declined']} of {a['answerable']}")
    for p in a["problems"]:
        console.print(Text(clean(f"  {p['id']} [{p['lang']}] {p['problem']}: {p['question']}")))


def print_quote_eval(console: Console, s: dict) -> None:
    """A ``qa eval`` summary of a quote-format file (an archive's questions)."""

    def rate(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    console.print(f"questions: {s['questions']}")
    console.print(
        f"answerable: right report first {rate(s['report_first'])}, "
        f"right figure first {rate(s['figure_first'])}"
    )
    single = s["single"]
    console.print(
        f"single-figure questions: {single['n']}  right report first "
        f"{rate(single['report_first'])}  right figure first {rate(single['figure_first'])}"
    )
    for lang, b in single["by_lang"].items():
        console.print(f"  {lang:<8} n={b['n']:<3} right figure first {rate(b['figure_first'])}")
    console.print(
        f"comparisons with every part right: {s['comparisons_right']} of {s['comparisons']}"
    )
    console.print(
        f"unanswerable questions declined: {s['unanswerable_declined']} of {s['unanswerable']}"
    )
    console.print(f"answerable questions declined: {s['answerable_declined']} of {s['answerable']}")
    for p in s["problems"]:
        console.print(Text(clean(f"  {p['id']} [{p['lang']}] {p['problem']}: {p['question']}")))
        if p["first"]:
            console.print(Text(clean(f"      first quote: {p['first'][:90]}")))


def print_retrieval_eval(console: Console, summary: dict) -> None:
    """Hit@1 and hit@3 overall, by language and by kind, and the misses at rank 1."""
    o = summary["overall"]
    console.print(f"answerable questions: {o['n']}  hit@1 {o['hit@1']:.3f}  hit@3 {o['hit@3']:.3f}")
    for title, key in (("by language", "by_lang"), ("by kind", "by_kind")):
        console.print(f"{title}:")
        for name, b in summary[key].items():
            console.print(
                f"  {name:<12} n={b['n']:<3} hit@1 {b['hit@1']:.3f}  hit@3 {b['hit@3']:.3f}"
            )
    if summary.get("multi_both@3") is not None:
        console.print(
            f"multi-passage questions with both passages in the top 3: {summary['multi_both@3']:.3f}"
        )
    misses = summary["misses@1"]
    console.print(f"misses at 1: {len(misses)}")
    for m in misses:
        rank = m["rank"] if m["rank"] is not None else "-"
        console.print(Text(clean(f"  {m['id']} [{m['lang']}] rank {rank}: {m['question']}")))


def print_findings(console: Console, findings: Sequence) -> None:
    """``qa doctor``: each check with OK, WARNING or PROBLEM, and how to fix what is not OK."""
    labels = {
        "ok": ("OK", "green"),
        "warning": ("WARNING", "yellow"),
        "problem": ("PROBLEM", "red"),
    }
    for f in findings:
        label, style = labels[f.status]
        line = Text(f"{label:<8}", style=style).append(clean(f"{f.check}: {f.message}"))
        console.print(line, soft_wrap=True)
        if f.fix:
            console.print(Text(clean(f"         fix: {f.fix}"), style="dim"), soft_wrap=True)
    problems = sum(f.status == "problem" for f in findings)
    console.print(
        "healthy" if not problems else f"{problems} problem(s): see the fixes above",
        style="bold" if problems else None,
    )


def print_feedback_stats(console: Console, stats: FeedbackStats) -> None:
    """``qa feedback stats``: ratings by kind and language, and how many become questions."""
    console.print(
        f"ratings: {stats.ratings}  👍 {stats.up}  👎 {stats.down} "
        f"({stats.down_with_passage} naming the passage that should have answered)"
    )
    for lang, counts in stats.by_language.items():
        console.print(f"  {lang:<8} 👍 {counts['up']:<5} 👎 {counts['down']}")
    console.print(
        f"exportable as questions (qa feedback export): {stats.exportable}; "
        f"answers remembered for rating: {stats.remembered}"
    )


#: The steps of answering in the order they run (``Answer.seconds``, ``qa.timing``).
STEPS = ("open", "read", "encode", "lexical", "dense", "fusion", "sentences", "compose")


def timings_line(seconds: dict[str, float]) -> str:
    """One line of where the time went (``qa ask --debug``): each step that ran, in order,
    then the total — ``time: open 1.21 s · read 4 ms · encode 9 ms · … · total 1.48 s``."""

    def shown(value: float) -> str:
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"

    parts = [f"{name} {shown(seconds[name])}" for name in STEPS if name in seconds]
    total = seconds.get("total", sum(seconds[n] for n in STEPS if n in seconds))
    return "time: " + " · ".join([*parts, f"total {shown(total)}"])
