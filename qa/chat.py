"""``qa chat``: load once, then answer question after question in the terminal.

Line editing and history come from the standard library's ``readline`` (GNU readline on
Linux and most Unix systems; history in the cache folder). Answers are rendered exactly as
``qa ask`` renders them. A question may follow up the one before (那浙江呢？, "And in
2010?"): what it leaves unsaid is taken from the last answer, and the reply says what it took
over; ``/new`` starts afresh. Ctrl-D, ``/quit`` or ``/exit`` leaves; Ctrl-C drops the line
being typed. Works with piped input too (one question per line, each echoed before its
answer), which is how it is tested.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.text import Text

from qa import Answer, ReportQA, detect_language
from qa.errors import QuestionError
from qa.present import clean, print_answer, print_passages, say, view_answer, view_passages

#: Commands typed instead of a question.
QUIT = frozenset({"/quit", "/exit", "/q"})
HELP = frozenset({"/help", "/?"})
PASSAGES = "/passages"
PROMPT = "? "
#: Forget the previous question: the next one is answered as a first question.
NEW = frozenset({"/new", "/reset"})
HISTORY_LINES = 1000


def _readline(history: Path | None) -> Callable[[], None]:
    """Turn on line editing and history when the input is a terminal; returns the function
    that saves the history."""
    if history is None or not sys.stdin.isatty():
        return lambda: None
    try:
        import readline
    except ImportError:  # not on every platform: input() still works, without editing
        return lambda: None
    history.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LINES)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)

    return save


def run(
    qa: ReportQA,
    *,
    out: Console,
    err: Console,
    k: int = 3,
    history: Path | None = None,
    read: Callable[[str], str] = input,
) -> int:
    """Answer questions read with ``read`` until end of input or ``/quit``; returns the
    exit code (0)."""
    save_history = _readline(history)
    typed = sys.stdin.isatty()
    prompt = PROMPT if typed else ""
    # The conversation: a follow-up (那浙江呢？) takes what it leaves unsaid from the last
    # answer, until /new.
    last = None
    err.print(Text(say("chat_hello", "en"), style="dim"))
    try:
        while True:
            try:
                line = read(prompt)
            except EOFError:
                break
            except KeyboardInterrupt:
                out.print()
                continue
            line = line.strip()
            if not line:
                continue
            if line.lower() in QUIT:
                break
            if not typed:
                # Questions from a pipe or a file are not on the screen: echo each before its
                # answer, as the prompt would show it, so answers can be matched to them.
                out.print(Text(PROMPT + clean(line), style="bold"))
            if line.lower() in HELP:
                err.print(Text(say("chat_help", "en"), style="dim"))
                continue
            if line.lower() in NEW:
                last = None
                err.print(Text(say("chat_new", "en"), style="dim"))
                continue
            try:
                last = _answer(qa, line, out=out, k=k, follows=last) or last
            except QuestionError as exc:
                err.print(f"error: {exc}", markup=False, highlight=False)
            out.print()
    finally:
        save_history()
    return 0


def _answer(
    qa: ReportQA, line: str, *, out: Console, k: int, follows: Answer | None
) -> Answer | None:
    """Print the answer to ``line`` (or the passages of ``/passages QUESTION``); returns the
    answer, which the next question may follow up."""
    if line.startswith(PASSAGES + " ") or line == PASSAGES:
        question = line[len(PASSAGES) :].strip()
        hits = qa.retriever.search(question, k=k)
        print_passages(out, view_passages(hits, detect_language(question)))
        return None
    answer = qa.ask(line, follows=follows)
    print_answer(out, view_answer(answer), related=k)
    return answer
