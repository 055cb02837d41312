"""Typed exceptions of the Report QA library; the CLI turns each into a one-line message."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from pathlib import Path

from qa.paths import shown


class QAError(Exception):
    """Base class of every error the library raises on purpose."""


class ArgumentError(QAError, ValueError):
    """An argument of a library call has the right type but an unusable value (``k=0``, an
    empty list of sources)."""


class UnknownDocumentError(ArgumentError):
    """A report id (or title) that the index does not hold (``documents=[…]``,
    ``figure_sheet("…")``); a web API answers it with 404."""


class UnknownAnswerError(ArgumentError):
    """A rating for an answer key the feedback store does not remember (never given, or
    pruned)."""


class ArgumentTypeError(QAError, TypeError):
    """An argument of a library call has the wrong type (``k="3"``, a number as a path)."""


class ModelError(QAError):
    """The embedding model cannot be found, converted or loaded."""


class SourceError(QAError):
    """A report file cannot be read: missing, empty, binary, undecodable or malformed."""


class DuplicateIdError(SourceError):
    """Two passages claim the same id."""


class QuestionError(QAError, ValueError):
    """The question cannot be asked: empty, whitespace only, or too long."""


class IndexError_(QAError):
    """Base of the index errors (named with a trailing underscore to keep the builtin)."""


class IndexNotFoundError(IndexError_, FileNotFoundError):
    """No index at the given folder (run ``qa build``)."""


class IndexPathError(IndexError_, NotADirectoryError):
    """The index path is not a folder (a file, or a path through a file)."""


class IndexCorruptError(IndexError_):
    """The index folder exists but its files are incomplete or inconsistent.

    ``path`` is the broken file or folder when one is known; ``sources`` are the files the
    index was built from when a readable manifest recorded them (``ReportQA.open_or_build``
    rebuilds from them when no valid generation is left).
    """

    def __init__(
        self, message: str, *, path: str | None = None, sources: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.sources = list(sources or [])
        self.problem: str | None = None  # what is wrong with ``path``, when known

    @classmethod
    def damaged(cls, path: object, problem: str) -> IndexCorruptError:
        """``<path> is damaged (<problem>)``, with how to repair the index it belongs to, in
        one line."""
        problem = " ".join(str(problem).split())[:300]
        hint = repair_hint(_index_of(Path(str(path))))
        error = cls(f"{path} is damaged ({problem}); {hint}", path=str(path))
        error.problem = problem
        return error


def repair_hint(index: str | Path) -> str:
    """How to repair the index at ``index``, as every message about a damaged one says it
    (the commands name the index, so that they work as written from any folder)."""
    where = shown(index)
    return (
        f"run qa doctor --index {where} to see what is wrong, and qa build [PATH ...] "
        f"--index {where} to rebuild it"
    )


def _index_of(path: Path) -> Path:
    """The index folder of one of its files: a generation's folder (named as
    ``qa.index.layout`` names them: ``gen-…``, or ``.tmp-gen-…`` while a build validates
    it) lies in the index folder, and so does ``CURRENT``."""
    for folder in path.parents:
        if folder.name.startswith(("gen-", ".tmp-gen-")):
            return folder.parent
    return path.parent


class IndexOutdatedError(IndexError_):
    """The index was built by an older Report QA that matched text differently; rebuild it.

    ``sources`` are the files the old index was built from (from its manifest).
    """

    def __init__(self, message: str, sources: list[str]) -> None:
        super().__init__(message)
        self.sources = sources


class ModelMismatchError(IndexError_):
    """The index was built with another embedding model than the one requested."""


class BuildLockedError(IndexError_):
    """Another build holds the index folder's lock."""


class SettingError(QAError, ValueError):
    """A setting in the environment (or ``.env``) has an unusable value; the message names
    the variable (and never shows a secret's value)."""


class ScaleOutError(QAError):
    """A build on a Ray cluster cannot run: Ray is not installed, the cluster is not
    reachable, its workers failed, or the embedding made no progress for too long."""


class RuntimeMismatchError(ModelMismatchError, IndexOutdatedError):
    """The index's vectors were made by the same model on another runtime (ONNX Runtime
    vs torch, int8 vs fp32). Refused like a model mismatch; being also an
    ``IndexOutdatedError``, ``ReportQA.open_or_build`` rebuilds it from ``sources`` (the
    vectors of the new runtime come from the embedding cache when it has them)."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it (``raise … from``, or raised while handling), in order."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def caused_by_interrupt(exc: BaseException) -> bool:
    """True when ``exc`` is, or was raised because of, a KeyboardInterrupt: Ctrl-C inside an
    extension's import or call (onnxruntime's, numpy's) comes back wrapped, e.g. as
    "ImportError: initialization failed"."""
    return any(isinstance(cause, KeyboardInterrupt) for cause in _chain(exc))


#: What an OS error of a connection or a listening socket means, in a user's words.
_NETWORK_REASONS = {
    errno.ECONNREFUSED: "the connection was refused (nothing listens there)",
    errno.ENETUNREACH: "the network is unreachable (is this machine online?)",
    errno.EHOSTUNREACH: "the host is unreachable (is this machine online?)",
    errno.ETIMEDOUT: "no answer in time (is this machine online? a firewall?)",
    errno.ECONNRESET: "the connection was reset by the other side",
    errno.EADDRINUSE: "the port is in use (another program listens on it; choose another port)",
    errno.EADDRNOTAVAIL: "that address is not one of this machine's",
}
#: Errors of a socket that listens rather than connects.
_LISTENING = {errno.EADDRINUSE, errno.EADDRNOTAVAIL}


def network_problem(exc: BaseException) -> tuple[str, bool] | None:
    """Why a connection could not be made, or a port not listened on, in plain words, when
    ``exc`` is (or was caused by) such an OS error — a name that does not resolve, a refused
    or timed-out connection, an unreachable network, a port in use —, and whether it was a
    listening socket's; else ``None``. Libraries wrap these (httpx, python-telegram-bot,
    uvicorn): the first one recognised along the chain of causes counts."""
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            return "the name does not resolve (is this machine online? is DNS working?)", False
        if isinstance(cause, OSError) and cause.errno in _NETWORK_REASONS:
            return _NETWORK_REASONS[cause.errno], cause.errno in _LISTENING
        if isinstance(cause, TimeoutError):  # socket.timeout, asyncio's and anyio's deadlines
            return _NETWORK_REASONS[errno.ETIMEDOUT], False
    return None


def describe(exc: BaseException, *, rerun: str, address: str | None = None) -> str:
    """What went wrong, for one line on stderr: the library's own message; a network failure
    in plain words (``cannot reach ADDRESS: the name does not resolve …``, ``cannot listen on
    ADDRESS: the port is in use …``; ``address`` names what was being reached or listened
    on); an OS error's reason and file; or — anything else is a bug — its type and message,
    and that ``rerun`` with ``--debug`` shows the traceback.

    >>> import errno
    >>> describe(OSError(errno.EADDRINUSE, "Address already in use"), rerun="qa serve",
    ...          address="127.0.0.1:8000")
    'cannot listen on 127.0.0.1:8000: the port is in use (another program listens on it; choose another port)'
    """
    if isinstance(exc, QAError):
        return str(exc)
    network = network_problem(exc)
    if network is not None:
        reason, listening = network
        if address is None:
            return reason
        return f"cannot {'listen on' if listening else 'reach'} {address}: {reason}"
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{reason}: {exc.filename}" if exc.filename else reason
    return (
        f"unexpected {type(exc).__name__}: {exc} (a bug in Report QA: run {rerun} with "
        "--debug for the traceback, and please report it)"
    )


__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BuildLockedError",
    "DuplicateIdError",
    "IndexCorruptError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexPathError",
    "ModelError",
    "ModelMismatchError",
    "QAError",
    "QuestionError",
    "RuntimeMismatchError",
    "ScaleOutError",
    "SettingError",
    "SourceError",
    "UnknownAnswerError",
    "UnknownDocumentError",
    "caused_by_interrupt",
    "describe",
    "network_problem",
]
