"""Typed exceptions of the Report QA library; the CLI turns each into a one-line message."""

from __future__ import annotations


class QAError(Exception):
    """Base class of every error the library raises on purpose."""


class ModelError(QAError):
    """The embedding model cannot be found, converted or loaded."""
