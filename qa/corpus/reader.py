"""Find report files, read each with the reader for its format, and collect passages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import qa.jsonl as jsonl
from qa.corpus import docx, html, metadata, pdf
from qa.corpus import layout as layout_
from qa.corpus.encoding import decode_text
from qa.corpus.infer import complete, year_in_title
from qa.corpus.plaintext import UNNUMBERED, Block, blocks
from qa.documents import Document, Origin, Passage
from qa.errors import DuplicateIdError, SourceError
from qa.paths import absolute, shown
from qa.periods import Period, Role, section_period
from qa.policy import DEFAULT, IndexPolicy

log = logging.getLogger(__name__)

#: Largest source file read (bytes); bigger files are refused rather than exhausting memory.
MAX_FILE_BYTES = 200 * 1024 * 1024


#: Files that describe a folder rather than being one of its reports (by convention).
FOLDER_DOCS = frozenset({"README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE", "COPYING"})


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class Corpus:
    """Everything read from the sources: documents, their passages, and what was skipped."""

    documents: list[Document] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: The files read, absolute.
    files: list[Path] = field(default_factory=list)


#: Reads one file's bytes (``path`` names it in messages and finds its sidecar).
Reader = Callable[[Path, str, bytes], tuple[Document, list[Passage]]]
#: A binary format's parser: the format's own metadata and the document's layout.
Parser = Callable[[Path, bytes], tuple[dict, list[Block]]]


def _document(
    path: Path,
    doc_id: str,
    blocks_meta: dict,
    notes: list[str],
    *,
    origin: Origin = "file properties",
    layout_title: str | None = None,
    framed: dict | None = None,
) -> Document:
    """The document's metadata from (most trusted last) its notes, the title of its layout
    (a Markdown ``#`` line, a Word title style), the format's metadata (``origin``: front
    matter or the file's properties) and its sidecar, each value with where it came from.
    What none of them states is inferred later (``qa.corpus.infer``)."""
    framed = framed or {}
    layers: list[tuple[dict, Origin]] = [
        (metadata.from_notes(notes), "notes"),
        ({k: v for k, v in framed.items() if k != "speaker"}, "dateline"),
        ({"speaker": framed["speaker"]} if "speaker" in framed else {}, "speaker line"),
        ({"title": layout_title} if layout_title else {}, "title line"),
        (blocks_meta, origin),
        (metadata.read_sidecar(path), "sidecar"),
    ]
    meta: dict = {}
    origins: dict[str, Origin] = {}
    for values, source in layers:
        for key, value in values.items():
            meta[key] = value
            origins[key] = source
    if not meta.get("title"):
        origins["title"] = "file name"
    return Document(
        id=doc_id,
        title=meta.get("title") or path.stem,
        path=str(path),
        source=meta.get("source"),
        date=meta.get("date"),
        region=meta.get("region"),
        year=meta.get("year"),
        publisher=meta.get("publisher"),
        speaker=meta.get("speaker"),
        reviews=meta.get("reviews"),
        plans=meta.get("plans"),
        notes=tuple(notes),
        origins=tuple((f, origins[f]) for f in metadata.FIELDS if f in origins),
    )


def metadata_passage(doc: Document) -> Passage | None:
    """The passage that answers "where/when was this published": the notes, verbatim."""
    if not doc.notes:
        return None
    return Passage(id=f"{doc.id}#about", doc=doc.id, text="\n".join(doc.notes), kind="metadata")


def _structured(path: Path, doc_id: str, text: str, *, markdown: bool) -> tuple[Document, list]:
    meta, body = metadata.front_matter(text)
    return _assemble(path, doc_id, meta, blocks(body, markdown=markdown), origin="front matter")


def _assemble(
    path: Path,
    doc_id: str,
    meta: dict,
    layout: list[Block],
    *,
    origin: Origin = "file properties",
) -> tuple[Document, list[Passage]]:
    """Number a layout's paragraphs under their section paths; ``meta`` outranks the
    layout's title. The dateline and the speaker's line are notes (quotable metadata: "when
    was this delivered"), and give the date delivered and the speaker."""
    title = next((b.text for b in layout if b.kind == "title"), None)
    dateline = next((b.text for b in layout if b.kind == "dateline"), None)
    speaker = next((b.text for b in layout if b.kind == "speaker"), None)
    notes = [b.text for b in layout if b.kind in ("dateline", "speaker", "note")]
    framed: dict = {}
    if dateline and (delivered := layout_.delivered_on(dateline)):
        framed.update(date=delivered, year=int(delivered[:4]))
    if speaker:
        framed["speaker"] = speaker
    doc = _document(path, doc_id, meta, notes, origin=origin, layout_title=title, framed=framed)
    anchor = doc.year if doc.year is not None else (year_in_title(title) if title else None)
    passages: list[Passage] = []
    path_: list[tuple[int, str, Period | None, Role | None]] = []
    for block in layout:
        if block.kind == "heading":
            level = block.level or UNNUMBERED
            while path_ and path_[-1][0] >= level:
                path_.pop()
            period, role = section_period(block.text, anchor=anchor)
            path_.append((level, block.text, period, role))
        elif block.kind == "paragraph":
            n = len(passages) + 1
            period = next((p for _, _, p, _ in reversed(path_) if p is not None), None)
            role = next((r for _, _, _, r in reversed(path_) if r is not None), None)
            passages.append(
                Passage(
                    f"{doc_id}#p{n}",
                    doc_id,
                    block.text,
                    path_[-1][1] if path_ else None,
                    n,
                    sections=tuple(h for _, h, _, _ in path_),
                    period=period,
                    role=role,
                )
            )
    about = metadata_passage(doc)
    return doc, passages + ([about] if about else [])


def read_text(path: Path, doc_id: str, text: str) -> tuple[Document, list[Passage]]:
    """A ``.txt`` report: a paragraph per line, or blank-line separated blocks."""
    return _structured(path, doc_id, text, markdown=False)


def read_markdown(path: Path, doc_id: str, text: str) -> tuple[Document, list[Passage]]:
    """A ``.md`` report: ``#`` headings, blank-line separated paragraphs, front matter."""
    return _structured(path, doc_id, text, markdown=True)


def read_jsonl(path: Path, doc_id: str, text: str) -> tuple[Document, list[Passage]]:
    """``{"id", "text", "title"?, "section"?}`` per line; ids are kept as given."""
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for lineno, row in jsonl.objects(path, text):
        pid, body = row.get("id"), row.get("text")
        if not isinstance(body, str) or not body.strip():
            raise SourceError(f'{path}:{lineno}: "text" must be a non-empty string')
        if pid is None:
            raise SourceError(f'{path}:{lineno}: missing "id"')
        pid = str(pid)
        if pid in seen:
            raise DuplicateIdError(
                f"{path}:{lineno}: duplicate id {pid!r} (first on line {seen[pid]})"
            )
        seen[pid] = lineno
        title = row.get("title")
        section = row.get("section")
        passages.append(
            Passage(
                id=pid,
                doc=doc_id,
                text=body,
                section=str(section) if section else None,
                paragraph=len(passages) + 1,
                title=str(title) if title else None,
            )
        )
    if not passages:
        raise SourceError(f"{path}: no passages (empty JSONL file)")
    return _document(path, doc_id, {}, []), passages


def _with_notes(layout: list[Block]) -> list[Block]:
    """Apply the text files' closing rules to a parsed layout (see ``plaintext.blocks``).

    Trailing bracketed paragraphs are notes (credit, source); a layout without paragraphs
    keeps its headings as paragraphs.
    """
    out = list(layout)
    i = len(out)
    while i > 0 and out[i - 1].kind == "paragraph" and metadata.is_note_line(out[i - 1].text):
        i -= 1
    out[i:] = [Block("note", b.text) for b in out[i:]]
    if not any(b.kind == "paragraph" for b in out):
        out = [Block("paragraph", b.text) if b.kind == "heading" else b for b in out]
    return out


def _decoding(read: Callable[[Path, str, str], tuple[Document, list[Passage]]]) -> Reader:
    """A reader of text files, fed the file's decoded text."""

    def reader(path: Path, doc_id: str, data: bytes) -> tuple[Document, list[Passage]]:
        return read(path, doc_id, decode_text(path, data))

    return reader


def _parsing(parse: Parser) -> Reader:
    """A reader of a binary or markup format, from its parser."""

    def reader(path: Path, doc_id: str, data: bytes) -> tuple[Document, list[Passage]]:
        meta, layout = parse(path, data)
        return _assemble(path, doc_id, meta, _with_notes(layout))

    return reader


READERS: dict[str, Reader] = {
    ".txt": _decoding(read_text),
    ".md": _decoding(read_markdown),
    ".jsonl": _decoding(read_jsonl),
    ".pdf": _parsing(pdf.parse),
    ".docx": _parsing(docx.parse),
    ".html": _parsing(html.parse),
    ".htm": _parsing(html.parse),
}


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def _discover(paths: Iterable[str | Path]) -> list[tuple[Path, Path, bool]]:
    """(file, root, named_explicitly) for every source file, in a stable order."""
    found: list[tuple[Path, Path, bool]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                hidden = any(part.startswith(".") for part in rel.parts)
                if f.is_file() and not hidden and not metadata.is_sidecar(f):
                    found.append((f, p, False))
        elif p.is_file():
            found.append((p, p.parent, True))
        else:
            raise SourceError(f"{p}: no such file or folder")
    return found


def _doc_id(path: Path, root: Path, taken: set[str]) -> str:
    doc_id = path.stem
    if doc_id in taken:
        doc_id = path.relative_to(root).with_suffix("").as_posix()
    n = 2
    base = doc_id
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    return doc_id


def read_file(path: Path, doc_id: str) -> tuple[Document, list[Passage]]:
    """Read one report file with the reader for its suffix."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"supported: {', '.join(supported_suffixes())}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(f"{path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from exc
    doc, passages = reader(path, doc_id, data)
    if not any(p.kind == "text" for p in passages):
        raise SourceError(f"{path}: no paragraphs found")
    return doc, passages


def read_sources(
    paths: Iterable[str | Path], *, strict: bool = False, policy: IndexPolicy = DEFAULT.index
) -> Corpus:
    """Read every report under ``paths`` (files or folders).

    A file named explicitly must be readable (else ``SourceError``). Files found inside a
    folder that cannot be read are skipped with a warning and listed in ``Corpus.skipped``
    — unless ``strict``, where they fail the read too. Passage ids must be unique. Title,
    year and region that a report does not state are inferred from its text
    (``qa.corpus.infer``), each with its origin.
    """
    paths = list(paths)
    corpus = Corpus()
    taken: set[str] = set()
    owner: dict[str, str] = {}
    ignored: list[Path] = []
    for path, root, explicit in _discover(paths):
        if path.suffix.lower() not in READERS and not explicit:
            ignored.append(path)  # a folder may hold other files (images, sheets): not reports
            continue
        if not explicit and path.stem.upper() in FOLDER_DOCS:
            # A folder's README or LICENSE describes the folder; it is not one of its reports.
            corpus.skipped.append(Skipped(str(path), "describes the folder, not a report"))
            continue
        doc_id = _doc_id(path, root, taken)
        try:
            doc, passages = read_file(path, doc_id)
        except SourceError as exc:
            if explicit or strict or isinstance(exc, DuplicateIdError):
                raise
            log.warning("skipped %s", exc)
            corpus.skipped.append(Skipped(str(path), str(exc).removeprefix(f"{path}: ")))
            continue
        for p in passages:
            if p.id in owner:
                raise DuplicateIdError(f"duplicate passage id {p.id!r} in {path} and {owner[p.id]}")
            owner[p.id] = str(path)
        taken.add(doc_id)
        # Recorded absolute: a repair rebuilds from these paths, from whatever folder.
        where = absolute(path)
        doc = replace(complete(doc, passages, policy=policy), path=str(where))
        corpus.documents.append(doc)
        corpus.passages.extend(passages)
        corpus.files.append(where)
    if not corpus.passages:
        raise SourceError(_nothing_to_index(paths, corpus.skipped, ignored))
    return corpus


def _nothing_to_index(paths: list[str | Path], skipped: list[Skipped], ignored: list[Path]) -> str:
    """Why no passage was read: every report file was skipped, or there was none — an empty
    folder, or one of files of other types — with the types that are read."""
    if skipped:
        detail = "; ".join(f"{s.path}: {s.reason}" for s in skipped)
        return f"no passages to index (skipped {detail})"
    where = ", ".join(shown(p) for p in paths)
    found = "it is empty" if len(paths) == 1 else "they are empty"
    if ignored:
        kinds = sorted({p.suffix.lower() or p.name for p in ignored})
        found = f"found only {len(ignored)} file(s) of other types ({', '.join(kinds[:8])})"
    types = supported_suffixes()
    return (
        f"no report files in {where}: {found}; Report QA reads {', '.join(types[:-1])} and "
        f"{types[-1]} files"
    )
