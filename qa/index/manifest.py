"""``manifest.json``: what an index generation holds and how it was made, for people and code."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qa.errors import IndexCorruptError

FILENAME = "manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    """Readable description of one index generation."""

    package_version: str
    built_at: str
    model: dict  # name, description, dimension, prompts, max_seq_length, backend, precision
    text: dict  # folding, lexical tokenizer, what text was embedded
    dense: dict  # FAISS index type and parameters
    lexical: dict  # BM25 variant and parameters
    corpus: dict  # sha256, documents, documents_sha256, passages, files
    build: dict = field(default_factory=dict)  # seconds, embedded, reused, skipped
    format: int = FORMAT

    def save(self, folder: Path) -> None:
        (folder / FILENAME).write_text(
            json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest of the generation at ``folder``; ``IndexCorruptError`` naming the file
        when it is missing, unreadable or lacks what a reader needs."""
        path = folder / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IndexCorruptError.damaged(path, "missing") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexCorruptError.damaged(path, f"unreadable: {exc}") from exc
        if not isinstance(data, dict):
            raise IndexCorruptError.damaged(path, "not a JSON object")
        if data.get("format") != FORMAT:
            raise IndexCorruptError.damaged(path, f"index format {data.get('format')} is not {FORMAT}")
        problem = _missing(data)
        if problem:
            raise IndexCorruptError.damaged(path, problem)
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexCorruptError.damaged(path, str(exc)) from exc


def documents_digest(ids: Iterable[str]) -> str:
    """A digest of a set of report ids (``corpus.documents_sha256``): two generations hold
    the same reports when their digests are equal, even when one's passage store is too
    damaged to list them."""
    return hashlib.sha256("\n".join(sorted(set(ids))).encode("utf-8")).hexdigest()


#: What a reader needs from each section of the manifest, and of which type.
_REQUIRED: dict[str, dict[str, type]] = {
    "model": {"name": str, "dimension": int},
    "corpus": {"passages": int},
    "dense": {"type": str},
    "lexical": {"dir": str},
    "text": {},
}


def _missing(data: dict) -> str | None:
    """What the manifest lacks or has of the wrong type, or ``None``."""
    for section, fields in _REQUIRED.items():
        value = data.get(section)
        if not isinstance(value, dict):
            return f"no {section!r} section"
        for name, kind in fields.items():
            if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
                return f"{section}.{name} is missing or not a {kind.__name__}"
    if data["corpus"]["passages"] < 1 or data["model"]["dimension"] < 1:
        return "it records no passages or no vector dimension"
    lexical = data["lexical"]
    for name in (
        lexical["dir"],
        lexical.get("sentences_dir") or "x",
        lexical.get("english_dir") or "x",
    ):
        if not isinstance(name, str) or Path(name).name != name or name in (".", ".."):
            return f"lexical folder {name!r} is not a plain folder name"
    return None
