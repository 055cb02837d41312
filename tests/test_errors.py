"""Errors are one line and typed (issue #16), read as a specification:

* every ``qa`` command turns a library error (``QAError``) or an OS error into one line on
  stderr and exit code 1, bad arguments into exit code 2, an interrupt into 130 with one line;
  ``--debug`` adds the traceback; even a bug is one line (named as one);
* an index path that is a file (or inside one) is refused by the index layout itself with a
  typed error (``IndexPathError``, a ``NotADirectoryError``) saying so;
* ``build_index`` takes one path or an iterable of them, and bad arguments raise ``QAError``
  subclasses that are also the ``TypeError``/``ValueError`` Python users expect; so does
  ``Retriever.search`` for a bad ``k``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qa.cli
from qa import QAError, Retriever, build_index
from qa.cli import main
from qa.errors import ArgumentError, ArgumentTypeError, IndexPathError
from qa.index.layout import LOCK
from tests.auxil.cli import run_qa
from tests.conftest import DATA, REPORT, ROOT


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


# -- the index path ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", ["ask", "build"])
def test_an_index_path_that_is_a_file_is_one_clear_line(command):
    args = ["ask", "低保金發放了多少？"] if command == "ask" else ["build", str(DATA)]
    done = run_qa(*args, "--index", "README.md")
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert line == (
        "error: index path README.md is a file: an index is a folder; name a folder, or a "
        "path that does not exist yet"
    )


def test_an_index_path_inside_a_file_is_refused_by_the_layout(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(IndexPathError, match=r"is inside the file .*notes\.txt") as caught:
        build_index(REPORT, tmp_path / "notes.txt" / "index")
    assert isinstance(caught.value, NotADirectoryError) and isinstance(caught.value, QAError)
    with pytest.raises(IndexPathError):
        Retriever.load(tmp_path / "notes.txt")


def test_an_os_error_is_one_line_naming_the_file(tmp_path, capsys):
    """A folder that cannot be created (here: under /proc, where nothing can be made)."""
    assert main(["build", str(REPORT), "--index", "/proc/self/no-index-here"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "/proc/self/no-index-here" in line


# -- arguments -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("k", "message"), [("0", "must be at least 1"), ("x", "'x' is not")])
def test_a_bad_k_is_an_argument_error_exit_2(k, message):
    done = run_qa("ask", "低保", "-k", k, "--index", "README.md")
    assert done.returncode == 2
    assert f"argument -k: {message}" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_command_is_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


# -- --debug, bugs, interrupts -------------------------------------------------------------


@pytest.mark.slow
def test_debug_shows_the_traceback_before_the_line(tmp_path):
    for where in (["--debug", "build"], ["build", "--debug"]):
        done = run_qa(*where, str(tmp_path / "missing.txt"), "--index", str(tmp_path / "i"))
        assert done.returncode == 1
        assert done.stderr.startswith("Traceback (most recent call last):")
        assert "qa.errors.SourceError" in done.stderr
        assert done.stderr.strip().splitlines()[-1].endswith("missing.txt: no such file or folder")


def test_a_bug_is_still_one_line_and_says_how_to_see_more(monkeypatch, report_index, capsys):
    def broken(args):
        raise KeyError("oops")

    monkeypatch.setattr(qa.cli, "cmd_doctor", broken)
    assert main(["doctor", "--index", str(report_index)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("error: unexpected KeyError: 'oops' (a bug in Report QA")
    assert "--debug" in line


def test_an_error_message_with_newlines_and_escapes_stays_one_safe_line(tmp_path, capsys):
    bad = tmp_path / "bad\x1b[31m\nname.txt"
    assert main(["build", str(bad), "--index", str(tmp_path / "i")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "\x1b" not in line and "/bad name.txt: no such file or folder" in line


@pytest.mark.slow
def test_an_interrupted_build_exits_130_with_one_line_and_changes_nothing(index_copy, tmp_path):
    # A report of a few thousand new paragraphs: still embedding when the interrupt comes,
    # however fast or loaded the machine (the bundled report's vectors are all cached).
    long = tmp_path / "long-report.txt"
    long.write_text(
        "\n".join(
            f"第{i}項工作：全省發放救助資金{i}.5億元，惠及{i * 7}戶困難家庭。" for i in range(3000)
        ),
        encoding="utf-8",
    )
    before = sorted(p.name for p in index_copy.iterdir())
    lock = index_copy / LOCK
    lock.write_text("")
    process = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "build", str(long), "--index", str(index_copy)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while not lock.read_text().startswith("pid") and time.monotonic() < deadline:
        time.sleep(0.05)  # the build holds its lock: it is inside `qa`'s error handling
    process.send_signal(signal.SIGINT)
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 130
    assert stderr.strip().splitlines() == [
        "interrupted (the index was not changed; embedded batches are cached)"
    ]
    assert sorted(p.name for p in index_copy.iterdir()) == before


# -- typed errors of the library -----------------------------------------------------------


def test_build_index_takes_one_path_as_a_string_or_path(index_copy, embedder):
    report = build_index(str(REPORT), index_copy, model=embedder)
    assert report.documents == 1 and report.passages == 21
    assert build_index(f"{DATA}/", index_copy, model=embedder).files == [str(REPORT)]
    assert build_index(Path(DATA), index_copy, model=embedder).passages == 21


@pytest.mark.parametrize(
    ("sources", "error", "builtin", "message"),
    [
        (42, ArgumentTypeError, TypeError, "not int"),
        (b"data/", ArgumentTypeError, TypeError, "not bytes"),
        ([DATA, 3], ArgumentTypeError, TypeError, "a source must be a path, not int"),
        ([], ArgumentError, ValueError, "no sources given"),
        ((), ArgumentError, ValueError, "no sources given"),
    ],
)
def test_build_index_refuses_bad_sources_with_typed_errors(
    tmp_path, sources, error, builtin, message
):
    with pytest.raises(error, match=message) as caught:
        build_index(sources, tmp_path / "index")
    assert isinstance(caught.value, builtin) and isinstance(caught.value, QAError)
    assert not (tmp_path / "index").exists()  # refused before anything was made


@pytest.mark.parametrize(
    ("k", "error", "builtin"),
    [
        (0, ArgumentError, ValueError),
        (-3, ArgumentError, ValueError),
        ("3", ArgumentTypeError, TypeError),
        (2.0, ArgumentTypeError, TypeError),
        (True, ArgumentTypeError, TypeError),
    ],
)
def test_search_refuses_a_bad_k_with_typed_errors(retriever, k, error, builtin):
    with pytest.raises(error) as caught:
        retriever.search("低保", k=k)
    assert isinstance(caught.value, builtin) and isinstance(caught.value, QAError)
    assert "\n" not in str(caught.value)


# -- network failures (shared by qa-bot and qa serve) --------------------------------------


def test_network_failures_are_said_in_plain_words_naming_the_address():
    """Real socket errors, as the libraries below the faces raise them (wrapped or not)."""
    import errno
    import socket

    from qa.errors import describe

    with socket.socket() as taken, socket.socket() as second:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as in_use:
            second.bind(("127.0.0.1", port))
    assert describe(in_use.value, rerun="qa serve", address=f"127.0.0.1:{port}") == (
        f"cannot listen on 127.0.0.1:{port}: the port is in use (another program listens on "
        "it; choose another port)"
    )
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        closed = free.getsockname()[1]
    with pytest.raises(OSError) as refused, socket.create_connection(("127.0.0.1", closed)):
        pass
    with pytest.raises(OSError) as unresolved:
        socket.getaddrinfo("api.telegram.invalid", 443)
    wrapped = RuntimeError("httpx.ConnectError: [Errno -2] Name or service not known")
    wrapped.__cause__ = unresolved.value  # what an HTTP client raises `from` the OS error
    unreachable = OSError(errno.ENETUNREACH, "Network is unreachable")
    said = {
        name: describe(exc, rerun="x", address="Telegram")
        for name, exc in [("refused", refused.value), ("dns", wrapped), ("net", unreachable)]
    }
    assert said == {
        "refused": "cannot reach Telegram: the connection was refused (nothing listens there)",
        "dns": "cannot reach Telegram: the name does not resolve (is this machine online? is "
        "DNS working?)",
        "net": "cannot reach Telegram: the network is unreachable (is this machine online?)",
    }
    assert describe(TimeoutError(), rerun="x") == (
        "no answer in time (is this machine online? a firewall?)"
    )
