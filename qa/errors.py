"""Typed exceptions of the Report QA library; the CLI turns each into a one-line message."""

from __future__ import annotations


class QAError(Exception):
    """Base class of every error the library raises on purpose."""


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


class IndexCorruptError(IndexError_):
    """The index folder exists but its files are incomplete or inconsistent."""


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


class RuntimeMismatchError(ModelMismatchError, IndexOutdatedError):
    """The index's vectors were made by the same model on another runtime (ONNX Runtime
    vs torch, int8 vs fp32). Refused like a model mismatch; being also an
    ``IndexOutdatedError``, ``Retriever.load_or_build`` rebuilds it from ``sources`` (the
    vectors of the new runtime come from the embedding cache when it has them)."""
