"""``manifest.json``: what an index generation holds and how it was made, for people and code."""

from __future__ import annotations

import json
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
    corpus: dict  # sha256, documents, passages, files
    build: dict = field(default_factory=dict)  # seconds, embedded, reused, skipped
    format: int = FORMAT

    def save(self, folder: Path) -> None:
        (folder / FILENAME).write_text(
            json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise IndexCorruptError(
                    f"{path}: index format {data.get('format')} is not {FORMAT}; rebuild with qa build"
                )
            return cls(**data)
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"{folder}: manifest.json is missing; rebuild with qa build") from exc
        except (json.JSONDecodeError, TypeError) as exc:
            raise IndexCorruptError(f"{path}: unreadable manifest ({exc}); rebuild with qa build") from exc
