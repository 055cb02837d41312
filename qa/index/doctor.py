"""``qa doctor``: check an index folder part by part and say what is wrong and how to fix it.

Checks, without loading the model: the folder itself, a build in progress, the ``CURRENT``
pointer, and for every generation its manifest (format, text matching, the model recorded)
and its parts counted against it — passages in SQLite (with SQLite's structural check), rows
of the FAISS index, documents of the passage BM25 index, the sentence bounds against the
sentence BM25 index, and the English bags of the English-bag BM25 index —; then the embedding cache (schema and structure), damaged caches moved
aside, and leftovers of interrupted builds.

Each check is a :class:`Finding`: ``ok``, ``warning`` (works, but worth knowing: a damaged
*earlier* generation leaves no fallback) or ``problem`` (the served index is broken or will
be refused). The index is healthy when nothing is a problem.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import qa.config as config
from qa.errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexPathError,
    repair_hint,
)
from qa.index import cache, parts
from qa.index.layout import CURRENT, LOCK, TMP_PREFIX, IndexLayout
from qa.index.manifest import Manifest
from qa.index.passages import FILENAME as PASSAGES_FILE
from qa.index.recovery import open_served
from qa.index.snapshot import check_text_matching
from qa.paths import shown

Status = Literal["ok", "warning", "problem"]

REBUILD = "rebuild the index: qa build [PATH ...] --index {root}"


@dataclass(frozen=True)
class Finding:
    """One check of an index folder: what was checked, how it stands, what was found and,
    unless it is fine, how to fix it."""

    check: str
    status: Status
    message: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        """True unless this is a problem (a warning is not)."""
        return self.status != "problem"

    def as_dict(self) -> dict:
        return asdict(self)


def healthy(findings: list[Finding]) -> bool:
    """True when no finding is a problem."""
    return all(f.ok for f in findings)


def check_index(index_dir: str | Path | None = None) -> list[Finding]:
    """Check the index folder at ``index_dir`` (default ``QA_INDEX``); see the module doc.

    >>> [f.status for f in check_index("index/")]               # doctest: +SKIP
    ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']
    """
    layout = IndexLayout(Path(index_dir) if index_dir else config.default_index_dir())
    root = layout.root
    rebuild = REBUILD.format(root=shown(root))
    try:
        layout.check_root()
    except IndexPathError as exc:
        return [Finding("folder", "problem", str(exc), "give --index a folder")]
    if not root.is_dir():
        return [Finding("folder", "problem", f"no index at {root}", rebuild)]
    findings = [Finding("folder", "ok", str(root))]
    building = _build_running(root)
    if building:
        findings.append(Finding("build", "warning", f"a build is running ({building})"))
    findings.extend(_pointer(layout, rebuild))
    current = layout.current_name()
    for gen in layout.generations():
        findings.extend(_generation(gen, current=gen.name == current, rebuild=rebuild))
    findings.extend(_serving(layout, rebuild))
    findings.extend(_cache(layout))
    if not building:
        findings.extend(
            Finding(
                f"leftover {tmp.name}",
                "warning",
                "left by an interrupted build",
                "the next qa build removes it (or delete the folder)",
            )
            for tmp in sorted(root.glob(TMP_PREFIX + "*"))
        )
    return findings


def _pointer(layout: IndexLayout, rebuild: str) -> list[Finding]:
    name = layout.current_name()
    gens = layout.generations()
    if layout.exists():
        return [Finding(CURRENT, "ok", f"serves {name}")]
    if not gens:
        return [Finding(CURRENT, "problem", "no generation has been built", rebuild)]
    what = "is missing" if name is None else f"names {name!r}, which is not a generation"
    return [
        Finding(
            CURRENT,
            "problem",
            f"{CURRENT} {what}; readers serve the newest generation that opens",
            rebuild,
        )
    ]


def _serving(layout: IndexLayout, rebuild: str) -> Iterator[Finding]:
    """What readers serve — ``qa ask``, the bot, ``qa sources`` decide it the same way
    (``qa.index.recovery``): the current generation, an earlier one that holds the same
    reports standing in for a damaged one, or nothing."""

    def opens(gen: Path) -> str:
        check_text_matching(gen, Manifest.load(gen))
        parts.check_generation(gen)
        return gen.name

    try:
        opened = open_served(layout, opens)
    except IndexNotFoundError:
        return  # said by the CURRENT check
    except (IndexCorruptError, IndexOutdatedError) as exc:
        why = str(exc).removesuffix("; " + repair_hint(layout.root))
        yield Finding("serving", "problem", f"nothing can be served: {why}", rebuild)
        return
    if opened.broken:
        yield Finding(
            "serving",
            "problem",
            f"readers serve the earlier generation {opened.snapshot}, which holds the same "
            f"reports, in place of the damaged {opened.broken}",
            rebuild,
        )
    else:
        yield Finding("serving", "ok", f"readers serve {opened.snapshot}")


def _generation(gen: Path, *, current: bool, rebuild: str) -> list[Finding]:
    """The findings of one generation: its manifest, model and parts."""
    label = gen.name if current else f"{gen.name} (earlier)"
    bad: Status = "problem" if current else "warning"
    fix = rebuild if current else f"{rebuild} (an earlier generation is the fallback)"
    try:
        manifest = Manifest.load(gen)
    except IndexCorruptError as exc:
        return [Finding(f"{label}: manifest", bad, _what(exc), fix)]
    found = [
        Finding(
            f"{label}: manifest",
            "ok",
            f"built {manifest.built_at} by Report QA {manifest.package_version}: "
            f"{manifest.corpus['passages']} passages of {manifest.corpus.get('documents', '?')} "
            "document(s)",
        )
    ]
    try:
        check_text_matching(gen, manifest)
    except IndexOutdatedError as exc:
        return [*found, Finding(f"{label}: text matching", bad, str(exc), fix)]
    found.append(_model(label, manifest, current=current, root=gen.parent))
    count = int(manifest.corpus["passages"])
    checks = (
        ("passages", lambda: _passages(gen, count)),
        ("vectors", lambda: _vectors(gen, manifest)),
        ("BM25", lambda: _lexical(gen, manifest)),
        ("sentences", lambda: _sentences(gen, manifest)),
        ("English bags", lambda: _english(gen, manifest)),
    )
    for name, run in checks:
        try:
            found.append(Finding(f"{label}: {name}", "ok", run()))
        except IndexCorruptError as exc:
            found.append(Finding(f"{label}: {name}", bad, _what(exc), fix))
    return found


def _what(exc: IndexCorruptError) -> str:
    return f"{Path(exc.path).name} is damaged: {exc.problem}" if exc.path else str(exc)


def _model(label: str, manifest: Manifest, *, current: bool, root: Path) -> Finding:
    model = manifest.model
    recorded = f"{model['name']} ({model['dimension']}-d)"
    wanted = config.env("QA_MODEL")
    if current and wanted and wanted != model["name"]:
        return Finding(
            f"{label}: model",
            "problem",
            f"built with {recorded}, but QA_MODEL asks for {wanted!r}: readers refuse it",
            f"unset QA_MODEL, or rebuild with it: qa build [PATH ...] --index "
            f"{shown(root)} --model {wanted}",
        )
    return Finding(f"{label}: model", "ok", f"built with {recorded}")


def _passages(gen: Path, count: int) -> str:
    store = parts.open_store(gen, count)
    try:
        problem = store.check_structure()
    finally:
        store.close()
    if problem:
        raise IndexCorruptError.damaged(gen / PASSAGES_FILE, problem)
    return f"{count} passages in {PASSAGES_FILE}, structure intact"


def _vectors(gen: Path, manifest: Manifest) -> str:
    index = parts.open_dense(gen, manifest, mmap=True)
    return f"{index.ntotal} vectors of {index.d} dimensions ({manifest.dense['type']})"


def _lexical(gen: Path, manifest: Manifest) -> str:
    lexical = parts.open_lexical(gen, manifest, mmap=True)
    return f"{lexical.stored_documents()} passages in the passage BM25 index"


def _sentences(gen: Path, manifest: Manifest) -> str:
    sentences = parts.open_sentences(gen, manifest, mmap=True)
    return (
        f"{sentences.sentence_count} sentences of {sentences.size} passages in the sentence "
        "BM25 index"
    )


def _english(gen: Path, manifest: Manifest) -> str:
    english = parts.open_english(gen, manifest, mmap=True)
    return f"{english.stored_documents()} passages in the English-bag BM25 index"


def _cache(layout: IndexLayout) -> Iterator[Finding]:
    path = layout.cache_dir / cache.FILENAME
    if not path.exists():
        yield Finding("cache", "ok", "no embedding cache yet (the next build embeds everything)")
    else:
        try:
            count = cache.check(path)
        except cache.CacheDamagedError as exc:
            yield Finding(
                "cache",
                "problem",
                f"{path} is unusable: {exc}",
                "the next qa build moves it aside and starts a new one (passages are embedded "
                "again)",
            )
        except OSError as exc:
            yield Finding("cache", "warning", f"{path} cannot be checked now: {exc}")
        else:
            yield Finding("cache", "ok", f"{count} vectors cached, structure intact")
    for old in sorted(layout.cache_dir.glob(cache.FILENAME + cache.BROKEN_SUFFIX + "*")):
        if not old.name.endswith(("-journal", "-wal", "-shm")):
            yield Finding(
                f"cache {old.name}",
                "warning",
                "a damaged cache moved aside by a build",
                f"delete {old} when you no longer need it",
            )


def _build_running(root: Path) -> str | None:
    """Who holds the build lock (``None`` when no build is running)."""
    path = root / LOCK
    try:
        with open(path) as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return fh.read().strip() or "another process"
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:  # no lock file (no build ever ran), or unreadable
        return None
    return None
