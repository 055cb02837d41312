"""JSON Lines, read line by line with errors that name the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from qa.errors import SourceError


def objects(path: Path, text: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line; ``SourceError`` on a malformed one."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise SourceError(f"{path}:{lineno}: expected a JSON object")
        yield lineno, row
