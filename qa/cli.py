"""The ``qa`` command: build an index, ask a question, evaluate. A thin face over the library.

qa build [PATH ...] [--index DIR] [--model M] [--strict] [--ray ADDRESS [--ray-workers N]]
qa ask "QUESTION" [-k N] [--json] [--index DIR]
qa eval QUESTIONS.jsonl [--json] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from rich.console import Console

from qa import __version__
from qa.errors import QAError

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress_bar():
    """A rich progress bar fed by ``build_index``'s ``progress(done, total)`` callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("embedding passages"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("embed", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _build(
    sources: list[str] | None,
    index: Path | None,
    model: str | None,
    strict: bool,
    *,
    ray_address: str | None = None,
    ray_workers: int | None = None,
):
    from qa.index.build import build_index

    bar, update = _progress_bar()
    with bar:
        return build_index(
            sources,
            index,
            model=model,
            strict=strict,
            progress=update,
            ray_address=ray_address,
            ray_workers=ray_workers,
        )


def _print_build(report) -> None:
    err.print(
        f"built {report.index_dir}: {report.documents} document(s), {report.passages} passages "
        f"({report.embedded} embedded, {report.reused} reused from cache) "
        f"with {report.model} in {report.seconds:.1f} s"
        + (f", embedded on Ray by {report.ray['workers']} worker(s)" if report.ray else "")
    )
    for s in report.skipped:
        err.print(f"  skipped {s.path}: {s.reason}")


def cmd_build(args: argparse.Namespace) -> int:
    if args.ray_workers is not None and args.ray is None:
        err.print("error: --ray-workers needs --ray ADDRESS")
        return 2
    report = _build(
        args.paths or None,
        args.index,
        args.model,
        args.strict,
        ray_address=args.ray,
        ray_workers=args.ray_workers,
    )
    _print_build(report)
    return 0


def _retriever(index: Path | None):
    """The retriever over ``index``, building the bundled reports into it first if missing."""
    from qa.retrieve import Retriever

    def announce(message: str) -> None:
        err.print(message, markup=False, highlight=False)

    bar, update = _progress_bar()

    def progress(done: int, total: int) -> None:
        bar.start()  # only a build shows the bar; loading an index shows nothing
        update(done, total)

    try:
        retriever, report = Retriever.load_or_build(index, on_build=announce, progress=progress)
    finally:
        bar.stop()
    if report is not None:
        _print_build(report)
    return retriever


def cmd_ask(args: argparse.Namespace) -> int:
    from qa import render
    from qa.retrieve.retriever import check_question

    question = check_question(args.question)  # before any slow work
    retriever = _retriever(args.index)
    out = Console(highlight=False, soft_wrap=True)
    if args.passages:
        hits = retriever.search(question, k=args.k)
        if args.json:
            print(render.hits_json(question, hits))
        else:
            render.print_hits(out, hits)
        return 0
    answer = retriever.answer(question)
    if args.json:
        print(render.answer_json(answer, passages=args.k))
    else:
        render.print_answer(out, answer, related=args.k)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from qa import render
    from qa.evaluate import evaluate_answers, evaluate_retrieval, read_questions

    questions = read_questions(args.questions)
    retriever = _retriever(args.index)
    summary = {
        "retrieval": evaluate_retrieval(retriever, questions).summary(),
        "answers": evaluate_answers(retriever, questions),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        render.print_eval(Console(highlight=False, soft_wrap=True), summary)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa", description="Ask questions about reports; get quoted passages."
    )
    p.add_argument("--version", action="version", version=f"qa {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build or rebuild an index from report files and folders")
    b.add_argument("paths", nargs="*", help="files or folders (default: the bundled reports)")
    b.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    b.add_argument(
        "--model", help="sentence-transformers model name or path (default: bundled e5-small)"
    )
    b.add_argument(
        "--strict", action="store_true", help="fail on any unreadable file instead of skipping it"
    )
    b.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="embed on a Ray cluster: local (start one here for the build), auto, "
        "HOST:PORT or ray://HOST:10001 (needs: pip install 'report-qa[ray]')",
    )
    b.add_argument(
        "--ray-workers",
        type=int,
        metavar="N",
        help="embedding workers on Ray, one model and one core each (default: one per CPU)",
    )
    b.set_defaults(func=cmd_build)

    a = sub.add_parser("ask", help="ask a question")
    a.add_argument("question")
    a.add_argument("-k", type=int, default=3, help="how many passages to list (default 3)")
    a.add_argument(
        "--passages", action="store_true", help="list the top passages instead of the answer"
    )
    a.add_argument("--json", action="store_true", help="print machine-readable JSON")
    a.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    a.set_defaults(func=cmd_ask)

    e = sub.add_parser("eval", help="score retrieval and answers on a JSONL question file")
    e.add_argument("questions", type=Path)
    e.add_argument("--json", action="store_true")
    e.add_argument("--index", type=Path)
    e.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        err.print("error: -k must be at least 1")
        return 2
    try:
        return args.func(args)
    except QAError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
