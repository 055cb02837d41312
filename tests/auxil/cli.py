"""Running the ``qa`` command as a user does: a separate process, from the project folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_qa(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m qa.cli ARGS`` with ``env`` over this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
