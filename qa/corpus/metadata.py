"""Document metadata: sidecar files, front matter, and the credit/source lines of a report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qa.documents import FIELDS
from qa.errors import SourceError
from qa.periods import Period

SIDECAR_SUFFIX = ".meta.json"
__all__ = ["FIELDS", "clean", "from_notes", "front_matter", "parse_date", "read_sidecar"]

# "(來源:中國社會報2020.12.23)", "（来源：人民日报 2021年3月1日）", "(Source: Xinhua, 2021-03-01)"
_SOURCE = re.compile(r"^(?:[來来]源|出處|出处|source)\s*[:：]\s*(?P<rest>.+)$", re.IGNORECASE)
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[.\-/年])\s*(?P<m>\d{1,2})\s*(?:[.\-/月])\s*(?P<d>\d{1,2})\s*日?"
)
_PROVIDED_BY = re.compile(r"由(?P<who>.+?)提供")
_WRAPPED = re.compile(r"^\s*[(（](?P<inner>.*)[)）]\s*$")


def sidecar_path(path: Path) -> Path:
    """``report.txt`` → ``report.meta.json`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict:
    """The sidecar's fields for ``path`` (empty if there is none)."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{side}: not a valid JSON metadata file ({exc})") from exc
    if not isinstance(data, dict):
        raise SourceError(f"{side}: metadata must be a JSON object")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise SourceError(f"{side}: unknown metadata fields {sorted(unknown)}; known: {FIELDS}")
    return clean(data, where=str(side))


def clean(data: dict, *, where: str) -> dict:
    """Validate metadata values (strings, ISO date, integer year)."""
    out: dict = {}
    for key in FIELDS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if key == "year":
            try:
                out[key] = int(value)
            except (TypeError, ValueError) as exc:
                raise SourceError(f"{where}: year must be a number, got {value!r}") from exc
        elif key == "date":
            out[key] = parse_date(str(value)) or str(value)
        elif key in ("reviews", "plans"):
            try:
                out[key] = Period.parse(str(value))
            except ValueError as exc:
                raise SourceError(
                    f"{where}: {key} must be a year or years (2025, 2021-2025), got {value!r}"
                ) from exc
        else:
            out[key] = str(value).strip()
    return out


def parse_date(text: str) -> str | None:
    """First calendar date in ``text`` as ISO 8601 (2020.12.23 → 2020-12-23)."""
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_note_line(line: str) -> bool:
    """A trailing line wholly in brackets, such as a photo credit or the source line."""
    return bool(_WRAPPED.match(line))


def from_notes(notes: list[str]) -> dict:
    """Metadata read off credit/source lines: source, date and publisher."""
    out: dict = {}
    for note in notes:
        m = _WRAPPED.match(note)
        inner = (m["inner"] if m else note).strip()
        src = _SOURCE.match(inner)
        if src:
            rest = src["rest"].strip()
            date = _DATE.search(rest)
            if date:
                out.setdefault("date", parse_date(rest))
                rest = (rest[: date.start()] + rest[date.end() :]).strip(" ,，")
            if rest:
                out.setdefault("source", rest)
        who = _PROVIDED_BY.search(inner)
        if who:
            out.setdefault("publisher", who["who"].strip())
    if "date" in out and "year" not in out:
        out["year"] = int(out["date"][:4])
    return out


def front_matter(text: str) -> tuple[dict, str]:
    """Split ``---``-delimited ``key: value`` front matter off a Markdown/text file."""
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            meta: dict = {}
            for line in lines[1:end]:
                if ":" in line:
                    key, _, value = line.partition(":")
                    key = key.strip().lower()
                    if key in FIELDS:
                        meta[key] = value.strip().strip("\"'")
            return clean(meta, where="front matter"), "".join(lines[end + 1 :])
    return {}, text
