"""Rendering for the terminal: search hits and evaluation reports as text or JSON.
(The Telegram rendering lives with the bot.)"""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from qa.answer.compose import Answer, Citation, Quote
from qa.i18n import Language, message
from qa.retrieve import Hit


def location(hit: Hit) -> str:
    """Where a passage stands: document, section, paragraph, source and date."""
    d = hit.document
    parts = [hit.title or (d.title if d else hit.doc)]
    if hit.kind == "metadata":
        parts.append("document notes")
    if hit.section:
        parts.append(hit.section)
    if hit.paragraph is not None and hit.kind == "text":
        parts.append(f"¶{hit.paragraph}")
    if d and (d.source or d.date):
        parts.append(" ".join(x for x in (d.source, d.date) if x))
    return " · ".join(parts)


def hits_json(question: str, hits: list[Hit]) -> str:
    return json.dumps(
        {"question": question, "hits": [h.to_json() for h in hits]}, ensure_ascii=False, indent=2
    )


def print_hits(console: Console, hits: list[Hit]) -> None:
    for n, hit in enumerate(hits, start=1):
        console.print(Text(f"{n}. {location(hit)}  (score {hit.score:.3f})", style="dim"))
        console.print(Text(hit.text), soft_wrap=True)
        console.print()


def print_eval(console: Console, summary: dict) -> None:
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
        console.print(Text(f"  {p['id']} [{p['lang']}] {p['problem']}: {p['question']}"))


def print_retrieval_eval(console: Console, summary: dict) -> None:
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
        console.print(Text(f"  {m['id']} [{m['lang']}] rank {rank}: {m['question']}"))


def citation_line(c: Citation, lang: Language) -> str:
    """Document · section · paragraph · source date, in the reply's language."""
    parts = [c.document]
    if c.section:
        parts.append(c.section)
    parts.append(
        message("paragraph", lang, n=c.paragraph) if c.paragraph else message("notes", lang)
    )
    if c.source or c.date:
        parts.append(" ".join(x for x in (c.source, c.date) if x))
    return " · ".join(parts)


def quote_text(quote: Quote) -> Text:
    """The quote verbatim, figures in bold."""
    text = Text(quote.text)
    for f in quote.figures:
        text.stylize("bold", f.start, f.end)
    return text


def print_answer(console: Console, answer: Answer, *, related: int = 3) -> None:
    lang = answer.language
    if answer.found:
        console.print(Text(message("answer", lang), style="dim"))
        for quote in answer.quotes:
            console.print(Text("> ").append(quote_text(quote)), soft_wrap=True)
            console.print(Text("  — " + citation_line(quote.citation, lang), style="dim"))
        return
    console.print(answer.message)
    if answer.related:
        console.print()
        console.print(Text(message("related", lang), style="dim"))
        for hit in answer.related[:related]:
            excerpt = hit.text if len(hit.text) <= 120 else hit.text[:120] + "…"
            console.print(Text(f"- {excerpt}"), soft_wrap=True)
            console.print(Text("  — " + location(hit), style="dim"))
    console.print(Text(message("hint", lang), style="dim"))


def answer_json(answer: Answer, passages: int = 3) -> str:
    data = answer.to_json()
    data["passages"] = [h.to_json() for h in answer.hits[:passages]]
    return json.dumps(data, ensure_ascii=False, indent=2)
