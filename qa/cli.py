"""The ``qa`` command: build an index, ask a question, evaluate. A thin face over the library.

qa build [PATH ...] [--index DIR] [--model M] [--strict] [--ray ADDRESS [--ray-workers N]]
qa add PATH ... [--index DIR] [--strict]
qa remove DOC ... [--index DIR]
qa ask "QUESTION" [-k N] [--passages] [--json] [--chart FILE.png] [--index DIR]
qa sources [--json] [--index DIR]
qa figures [DOC] [--csv | --json] [--index DIR]
qa eval QUESTIONS.jsonl [--json] [--index DIR]
qa chat [-k N] [--index DIR] [--no-warm-up]
qa doctor [--index DIR] [--json]
qa serve [--index DIR] [--host 127.0.0.1] [--port 8000] [--no-warm-up]
qa feedback stats [--json] [--index DIR] [--file FILE]
qa feedback export FILE.jsonl [--index DIR] [--file FILE]
qa cache [--clear]

Every command turns an error into one line on stderr and exit code 1 (2 for bad arguments,
130 when interrupted); ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from qa import __version__
from qa.errors import caused_by_interrupt, describe

if TYPE_CHECKING:
    from qa import BuildReport, FeedbackStore, ReportQA
    from qa.present import AnswerView

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _build(
    sources: list[str] | None,
    index: Path | None,
    model: str | None,
    strict: bool,
    *,
    ray_address: str | None = None,
    ray_workers: int | None = None,
) -> BuildReport:
    from qa import build_index
    from qa.present import build_progress

    with build_progress(err) as progress:
        return build_index(
            sources,
            index,
            model=model,
            strict=strict,
            progress=progress,
            ray_address=ray_address,
            ray_workers=ray_workers,
        )


def _print_build(report: BuildReport, *, verb: str = "built") -> None:
    from qa.present import one_line, shown

    err.print(
        one_line(
            f"{verb} {shown(report.index_dir)}: {report.documents} document(s), {report.passages} "
            f"passages ({report.embedded} embedded, {report.reused} reused from cache) "
            f"with {report.model} in {report.seconds:.1f} s"
            + (f", embedded on Ray by {report.ray['workers']} worker(s)" if report.ray else "")
            + _embedding_speed(report)
        ),
        markup=False,
    )
    for label, ids in (
        ("added", report.added if verb != "built" else []),
        ("replaced (same id)", report.replaced),
        ("dropped" if verb == "built" else "removed", report.dropped),
    ):
        if ids:
            what = "report(s) the previous index had" if label == "dropped" else "report(s)"
            err.print("  " + one_line(f"{label} {len(ids)} {what}: {', '.join(ids)}"), markup=False)
    for s in report.skipped:
        err.print("  " + one_line(f"skipped {s.path}: {s.reason}"), markup=False)


def _embedding_speed(report: BuildReport) -> str:
    rates = report.embedding_rates
    if rates is None:
        return ""
    passages, tokens = rates
    return f"; embedded {passages:,.1f} passages/s, {tokens:,.0f} tokens/s"


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


def cmd_add(args: argparse.Namespace) -> int:
    from qa import add_reports
    from qa.present import build_progress

    with build_progress(err) as progress:
        report = add_reports(args.paths, args.index, strict=args.strict, progress=progress)
    _print_build(report, verb="added to")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from qa import remove_reports

    _print_build(remove_reports(args.docs, args.index), verb="removed from")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from qa import indexed_documents
    from qa.present import print_sources, sources_json

    documents = indexed_documents(args.index)
    if args.json:
        print(sources_json(documents))
    else:
        print_sources(Console(highlight=False, soft_wrap=True), documents)
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from qa import figure_sheet
    from qa.present import figures_csv, figures_json, print_figures

    rows = figure_sheet(args.doc, index_dir=args.index)
    if args.csv:
        sys.stdout.write(figures_csv(rows))
    elif args.json:
        print(figures_json(rows))
    else:
        print_figures(Console(highlight=False, soft_wrap=True), rows)
    return 0


def _open(index: Path | None) -> ReportQA:
    """Report QA over ``index``, building the bundled reports into it first if missing."""
    from qa import ReportQA
    from qa.present import build_progress

    def announce(message: str) -> None:
        err.print(message, markup=False, highlight=False)

    with build_progress(err) as progress:  # only a build shows progress
        qa, report = ReportQA.open_or_build(index, on_build=announce, progress=progress)
    if report is not None:
        _print_build(report)
    return qa


def cmd_ask(args: argparse.Namespace) -> int:
    from qa import check_question, detect_language
    from qa.present import (
        as_json,
        print_answer,
        print_passages,
        timings_line,
        view_answer,
        view_passages,
    )

    question = check_question(args.question)  # before any slow work
    started = time.perf_counter()
    qa = _open(args.index)
    opened = time.perf_counter() - started
    out = Console(highlight=False, soft_wrap=True)
    if args.passages:
        hits = qa.retriever.search(question, k=args.k)
        if args.json:
            print(as_json.hits_json(question, hits))
        else:
            print_passages(out, view_passages(hits, detect_language(question)))
        return 0
    answer = qa.ask(question)
    if args.debug:
        err.print(timings_line({"open": opened, **answer.seconds}), highlight=False)
    view = view_answer(answer)
    if args.json:
        print(as_json.answer_json(view, passages=args.k))
    else:
        print_answer(out, view, related=args.k)
    if args.chart is not None:
        _write_chart(view, args.chart)
    return 0


def _write_chart(view: AnswerView, path: Path) -> None:
    """``--chart FILE.png``: the chart of a table answer (one indicator across reports)."""
    from qa.present import chart_png

    png = chart_png(view, title=view.answer.question)
    if png is None:
        err.print("no chart: the answer is not a table with two or more figures of one kind")
        return
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise SystemExit(f"qa: cannot write the chart to {path}: {exc.strerror}") from exc
    err.print(f"chart written to {path}", highlight=False)


def cmd_doctor(args: argparse.Namespace) -> int:
    from qa import check_index, healthy
    from qa.present import as_json, print_findings

    findings = check_index(args.index)
    if args.json:
        print(
            as_json.dumps(
                {"healthy": healthy(findings), "findings": [f.as_dict() for f in findings]}
            )
        )
    else:
        print_findings(Console(highlight=False, soft_wrap=True), findings)
    return 0 if healthy(findings) else 1


def cmd_eval(args: argparse.Namespace) -> int:
    from qa import evaluate, read_questions
    from qa.present import print_eval

    questions = read_questions(args.questions)
    summary = evaluate(_open(args.index), questions)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print_eval(Console(highlight=False, soft_wrap=True), summary)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    import time

    import qa.config as config
    from qa import chat

    started = time.perf_counter()
    qa = _open(args.index)
    seconds = qa.warm_up() if not args.no_warm_up else 0.0
    err.print(
        f"ready in {time.perf_counter() - started:.1f} s (warm-up {seconds:.1f} s)",
        style="dim",
        highlight=False,
    )
    out = Console(highlight=False, soft_wrap=True)
    return chat.run(qa, out=out, err=err, k=args.k, history=config.cache_dir() / "chat_history")


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from web.app import serve
        from web.settings import WebSettings
    except ImportError as exc:
        err.print(
            f"error: qa serve needs the web extra ({exc.name} is missing): "
            "pip install 'report-qa[web]'",
            markup=False,
        )
        return 1
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"qa serve: listening on {args.host}: reachable from other machines", style="bold"
        )
    settings = WebSettings.from_env(index_dir=args.index, host=args.host, port=args.port)
    logging.getLogger().setLevel(logging.INFO)
    return serve(settings, warm_up=not args.no_warm_up)


def _feedback_store(args: argparse.Namespace) -> FeedbackStore:
    import qa.config as config
    from qa import FeedbackStore
    from qa.errors import SettingError

    path = args.file or config.feedback_file(args.index)
    if path is None:
        raise SettingError("QA_FEEDBACK is off: name the feedback file with --file")
    if not path.is_file():
        raise SettingError(f"no feedback file at {path} yet (the page and the bot write it)")
    return FeedbackStore(path)


def cmd_feedback_stats(args: argparse.Namespace) -> int:
    from qa.present import print_feedback_stats

    stats = _feedback_store(args).stats()
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_feedback_stats(Console(highlight=False, soft_wrap=True), stats)
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    report = _feedback_store(args).export(args.output)
    err.print(
        f"wrote {report.written} question(s) to {report.path} ({report.answerable} answerable"
        + (f"; {report.skipped} 👎 without a passage left out" if report.skipped else "")
        + f"); score them with: qa eval {report.path}",
        markup=False,
        highlight=False,
    )
    return 0


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number")
    return int(text)


def _megabytes(count: int) -> str:
    if count >= 1e6:
        return f"{count / 1e6:,.0f} MB"
    return f"{count / 1e3:,.0f} kB" if count >= 1e3 else f"{count} B"


def cmd_cache(args: argparse.Namespace) -> int:
    import qa.config as config
    from qa import cache_entries, clear_cache
    from qa.present import shown

    root = config.cache_dir()
    again = "the next command converts the bundled model again, in about 2 min"
    if args.clear:
        freed = clear_cache(root)
        print(f"removed {_megabytes(freed)} from {shown(root)}; {again}")
        return 0
    entries = cache_entries(root)
    print(f"cache folder: {shown(root)} (QA_CACHE_DIR)")
    for entry in entries:
        print(f"  {_megabytes(entry.bytes):>8}  {entry.what:<26}{entry.path.relative_to(root)}")
    if not entries:
        print("  empty: the bundled model is converted there on first use (about 2 min)")
    else:
        total = sum(e.bytes for e in entries)
        print(f"  {_megabytes(total):>8}  in all; qa cache --clear removes it ({again})")
    return 0


def _count(text: str) -> int:
    """``-k``: a whole number of at least 1 (argparse turns the error into exit code 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parser() -> argparse.ArgumentParser:
    # -v and --debug are accepted before and after the command (`qa --debug ask …`,
    # `qa ask … --debug`); SUPPRESS keeps a subcommand from resetting the global value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what happens"
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an error (errors are one line otherwise) and, for ask, "
        "the time each step took",
    )
    p = argparse.ArgumentParser(
        prog="qa", description="Ask questions about reports; get quoted passages.", parents=[common]
    )
    p.add_argument("--version", action="version", version=f"qa {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser(
        "build", parents=[common], help="build or rebuild an index from report files and folders"
    )
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

    ad = sub.add_parser(
        "add",
        parents=[common],
        help="add reports to an existing index (a report with the same id is replaced)",
    )
    ad.add_argument("paths", nargs="+", help="report files or folders")
    ad.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    ad.add_argument(
        "--strict", action="store_true", help="fail on any unreadable file instead of skipping it"
    )
    ad.set_defaults(func=cmd_add)

    rm = sub.add_parser(
        "remove", parents=[common], help="remove reports from an index (ids from qa sources)"
    )
    rm.add_argument("docs", nargs="+", help="report ids")
    rm.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    rm.set_defaults(func=cmd_remove)

    so = sub.add_parser(
        "sources", parents=[common], help="list the indexed reports, their metadata and its origin"
    )
    so.add_argument("--json", action="store_true", help="print machine-readable JSON")
    so.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    so.set_defaults(func=cmd_sources)

    fi = sub.add_parser(
        "figures", parents=[common], help="list every figure of a report (the figure sheet)"
    )
    fi.add_argument("doc", nargs="?", help="report id or title (default: every report)")
    form = fi.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true", help="print CSV")
    form.add_argument("--json", action="store_true", help="print JSON")
    fi.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    fi.set_defaults(func=cmd_figures)

    a = sub.add_parser("ask", parents=[common], help="ask a question")
    a.add_argument("question")
    a.add_argument("-k", type=_count, default=3, help="how many passages to list (default 3)")
    a.add_argument(
        "--passages", action="store_true", help="list the top passages instead of the answer"
    )
    a.add_argument("--json", action="store_true", help="print machine-readable JSON")
    a.add_argument(
        "--chart",
        type=Path,
        metavar="FILE.png",
        help="write a chart of a table answer (an indicator across reports) as PNG",
    )
    a.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser(
        "chat", parents=[common], help="load once, then answer question after question"
    )
    c.add_argument("-k", type=_count, default=3, help="how many passages to list (default 3)")
    c.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    c.add_argument(
        "--no-warm-up", action="store_true", help="start at once; the first question loads the rest"
    )
    c.set_defaults(func=cmd_chat)

    e = sub.add_parser(
        "eval", parents=[common], help="score retrieval and answers on a JSONL question file"
    )
    e.add_argument("questions", type=Path)
    e.add_argument("--json", action="store_true")
    e.add_argument("--index", type=Path)
    e.set_defaults(func=cmd_eval)

    d = sub.add_parser(
        "doctor", parents=[common], help="check an index folder and say how to fix what is wrong"
    )
    d.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    d.add_argument("--json", action="store_true", help="print machine-readable JSON")
    d.set_defaults(func=cmd_doctor)

    sv = sub.add_parser(
        "serve",
        parents=[common],
        help="a web page and a JSON API over the same answers (needs the web extra)",
    )
    sv.add_argument("--index", type=Path, help="index folder (default: QA_INDEX or ./index)")
    sv.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every "
        "network it is on)",
    )
    sv.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    sv.add_argument(
        "--no-warm-up",
        action="store_true",
        help="ready as soon as the index is open; the first questions load the rest",
    )
    sv.set_defaults(func=cmd_serve)

    fb = sub.add_parser(
        "feedback", parents=[common], help="the 👍 / 👎 users gave: counts, or an evaluation set"
    )
    fbs = fb.add_subparsers(dest="action", required=True)
    st = fbs.add_parser("stats", parents=[common], help="how many answers were rated, and how")
    st.add_argument("--json", action="store_true", help="print machine-readable JSON")
    ex = fbs.add_parser(
        "export", parents=[common], help="write the ratings as questions qa eval reads (JSONL)"
    )
    ex.add_argument("output", type=Path, metavar="FILE.jsonl")
    for action in (st, ex):
        action.add_argument(
            "--index", type=Path, help="index folder (default: QA_INDEX or ./index)"
        )
        action.add_argument(
            "--file",
            type=Path,
            help="the feedback file (default: QA_FEEDBACK, else "
            "feedback.sqlite in the index folder)",
        )
    st.set_defaults(func=cmd_feedback_stats)
    ex.set_defaults(func=cmd_feedback_export)
    ca = sub.add_parser(
        "cache",
        parents=[common],
        help="show where the converted model is kept and how big it is (QA_CACHE_DIR)",
    )
    ca.add_argument(
        "--clear",
        action="store_true",
        help="remove it (the next command converts the bundled model again, about 2 min)",
    )
    ca.set_defaults(func=cmd_cache)
    return p


def error_line(exc: BaseException) -> str:
    """An error as the one line ``qa`` prints (see ``qa.errors.describe``)."""
    from qa.present import one_line

    return "error: " + one_line(describe(exc, rerun="it again"))


def main(argv: list[str] | None = None) -> int:
    """Run ``qa``: 0 on success, 1 on an error (one line on stderr; ``--debug`` adds the
    traceback), 2 on bad arguments, 130 when interrupted."""
    args = parser().parse_args(argv)
    args.debug = getattr(args, "debug", False)
    args.verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _interrupted(args)
    except BrokenPipeError:
        # The reader went away (`qa ask … | head -1`): nothing more to say, and Python must
        # not complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if caused_by_interrupt(exc):
            # Ctrl-C inside an extension's import or call (onnxruntime's, numpy's) comes back
            # wrapped, e.g. as "ImportError: initialization failed": still an interruption.
            return _interrupted(args)
        if args.debug:
            traceback.print_exc()
        err.print(error_line(exc), markup=False, highlight=False)
        return 1


def _interrupted(args: argparse.Namespace) -> int:
    if args.debug:
        traceback.print_exc()
    done = " (the index was not changed; embedded batches are cached)"
    err.print("interrupted" + (done if args.command == "build" else ""))
    return 130


if __name__ == "__main__":
    sys.exit(main())
