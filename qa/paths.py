"""Paths as Report QA records them and as it shows them.

An index records where its reports came from, so that it can be repaired from them later
(``qa ask`` and the bot rebuild a damaged index from its recorded sources): those paths are
absolute, or a repair would work only from the folder the build ran in. Messages show a
path relative to the working folder when it lies inside it (``index`` rather than
``/home/me/project/index``), as given otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path


def absolute(path: str | os.PathLike) -> Path:
    """``path`` made absolute against the working folder, ``~`` expanded, ``..`` folded;
    symbolic links are kept as named (``os.path.abspath``, not ``Path.resolve``)."""
    return Path(os.path.abspath(Path(path).expanduser()))


def shown(path: str | os.PathLike) -> str:
    """``path`` for a message: relative to the working folder when inside it, else absolute."""
    full = absolute(path)
    try:
        relative = full.relative_to(Path.cwd())
    except (ValueError, OSError):  # outside the working folder, or it is gone
        return str(full)
    return str(relative) if relative.parts else "."
