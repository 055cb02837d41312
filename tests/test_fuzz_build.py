"""A bounded fuzz test of building (issue #16): random and mutated files of every supported
format go through ``build_index`` and through ``qa build`` (the command, in a subprocess).
Whatever the bytes, a build ends in a build report or a ``QAError`` — never another
exception —, the command exits 0 or 1 with one ``error:`` line and no traceback, and the
index keeps serving: the previous generation after a failed build, the new one after a
successful one.

Seeded and bounded: a fixed number of cases, stopped early at a deadline so the suite stays
quick. The seed is fixed (:data:`DEFAULT_SEED`), so CI runs the same cases every time;
``QA_FUZZ_SEED=random`` draws a new one, ``QA_FUZZ_SEED=<seed>`` replays a run. The seed is
printed and named in every failure message (with the case that failed); every byte of a case
comes from the seeded generator. ``QA_FUZZ_CASES`` and ``QA_FUZZ_SECONDS`` run more. The long
test is in the ``slow`` tier (``pytest -m "not slow"`` leaves it out).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from qa import QAError, Retriever, build_index
from qa.cli import error_line
from qa.index.layout import IndexLayout
from tests.conftest import REPORT, ROOT

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.test_ingest_formats import make_pdf
except ModuleNotFoundError:
    from test_ingest_formats import make_pdf

#: The seed when ``QA_FUZZ_SEED`` does not name one: the same cases on every run.
DEFAULT_SEED = 20261126


def _seed(value: str | None) -> int:
    """``QA_FUZZ_SEED``: unset or empty for :data:`DEFAULT_SEED`, ``random`` for a new seed."""
    if not value:
        return DEFAULT_SEED
    if value.strip().lower() == "random":
        return random.SystemRandom().randrange(2**32)
    return int(value)


SEED = _seed(os.environ.get("QA_FUZZ_SEED"))
CASES = int(os.environ.get("QA_FUZZ_CASES") or 40)
#: In-process cases stop being started after this many seconds (the CLI runs follow).
DEADLINE_SECONDS = float(os.environ.get("QA_FUZZ_SECONDS") or 25.0)
#: Explicit files whose in-process build failed, re-run through the command.
CLI_CASES = 4

LINES = [line for line in REPORT.read_text(encoding="utf-8").splitlines() if line.strip()]
NASTY = [
    "\x00", "\x1b[31m", "\x9b2J", "\u202e", "\ufeff", "\ud7ff", "\U0001f600", "\u0301" * 30,
    "\r", "\x0c", "\u2028", "&amp;", "<", "]]>", "{", '"', "\\", "%PDF", "PK\x03\x04",
    "萬億元", "1.1億元", "百分之九十九", "-0", "1e309", "NaN",
]  # fmt: skip


def text(rng: random.Random, lines: int = 6, width: int = 200) -> str:
    """Report-like text with random characters, nasty pieces and odd lengths mixed in."""
    out = []
    for _ in range(rng.randint(0, lines)):
        kind = rng.random()
        if kind < 0.5:
            line = rng.choice(LINES)[: rng.randint(1, width)]
        elif kind < 0.8:
            line = "".join(
                chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0x4E00, 0x9FFF),
                                rng.randint(0x80, 0x2FFF), rng.randint(0x1F300, 0x1F6FF)]))
                for _ in range(rng.randint(0, width))
            )  # fmt: skip
        else:
            line = "".join(rng.choice(NASTY) for _ in range(rng.randint(1, 12)))
        out.append(line)
    return "\n".join(out) + rng.choice(["", "\n", "\n\n", "\r\n"])


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Flip, drop, insert or duplicate bytes, or truncate — or leave the file alone."""
    data = bytearray(data)
    for _ in range(rng.choice([0, 0, 1, 3, 20])):
        if not data:
            break
        at = rng.randrange(len(data))
        op = rng.random()
        if op < 0.3:
            data[at] = rng.randrange(256)
        elif op < 0.5:
            del data[at : at + rng.randint(1, 64)]
        elif op < 0.7:
            data[at:at] = rng.randbytes(rng.randint(1, 64))
        elif op < 0.85:
            data[at:at] = data[at : at + rng.randint(1, 256)]
        else:
            del data[at:]
    return bytes(data)


def plain(rng: random.Random) -> tuple[str, bytes]:
    encoding = rng.choice(["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le"])
    return ".txt", text(rng).encode(encoding, errors="replace")


def markdown(rng: random.Random) -> tuple[str, bytes]:
    parts = []
    if rng.random() < 0.5:
        parts.append(
            f"---\ntitle: {text(rng, 1, 40)}\ndate: {rng.choice(['2020-12-23', '', '[', 'x'])}\n---"
        )
    for _ in range(rng.randint(0, 5)):
        parts.append(rng.choice(["#" * rng.randint(1, 7) + " ", "- ", "| a | b |\n|---|", "```", ""])
                     + text(rng, 2, 120))  # fmt: skip
    return ".md", "\n\n".join(parts).encode("utf-8", errors="replace")


def jsonl(rng: random.Random) -> tuple[str, bytes]:
    rows: list[str] = []
    row: dict = {}
    for n in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.55:
            row = {"id": rng.choice([n, f"p{n}", f"p{n}", None, [n], "p0"]),
                   "text": rng.choice([text(rng, 2), "", 3, None, ["x"]])}  # fmt: skip
            if rng.random() < 0.3:
                row["title"] = text(rng, 1, 30)
            if rng.random() < 0.3:
                row["section"] = rng.choice([text(rng, 1, 30), 5, {"a": 1}])
            rows.append(json.dumps(row, ensure_ascii=rng.random() < 0.5))
        elif kind < 0.8:
            rows.append(json.dumps(row)[: rng.randint(0, 30)])  # a line cut short
        else:
            rows.append(rng.choice(["[1, 2]", "null", '"text"', "{", "", "  ", "\x00"]))
    return ".jsonl", "\n".join(rows).encode("utf-8", errors="replace")


def pdf(rng: random.Random) -> tuple[str, bytes]:
    pages = [
        [line for line in text(rng, 5, 60).splitlines() if line.strip()] or ["頁"]
        for _ in range(rng.randint(1, 3))
    ]
    try:
        data = make_pdf(pages, {"Title": text(rng, 1, 20).strip() or "t"})
    except (UnicodeEncodeError, ValueError):  # lone surrogates cannot be written
        data = make_pdf([["全省發放救助資金12億元。"]])
    return ".pdf", mutate(rng, data)


def word(rng: random.Random) -> tuple[str, bytes]:
    document = docx.Document()
    for _ in range(rng.randint(0, 5)):
        body = "".join(ch for ch in text(rng, 1, 150) if ch.isprintable() or ch in "\n\t")
        if rng.random() < 0.2:
            document.add_heading(body[:40], level=rng.randint(1, 3))
        elif rng.random() < 0.2:
            table = document.add_table(rows=1, cols=2)
            table.rows[0].cells[0].text, table.rows[0].cells[1].text = body[:20], body[20:60]
        else:
            document.add_paragraph(body)
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    if rng.random() < 0.2:  # a zip that is no Word document
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("word/document.xml", text(rng, 2))
        data = out.getvalue()
    return ".docx", mutate(rng, data)


def page(rng: random.Random) -> tuple[str, bytes]:
    body = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.4:
            body.append(f"<p>{text(rng, 1, 150)}</p>")
        elif kind < 0.55:
            body.append("<script>document.write('<p>injected</p>')</script><style>p{}</style>")
        elif kind < 0.7:
            depth = rng.choice([50, 3000, 20000])
            body.append("<div>" * depth + text(rng, 1, 40) + "</div>" * rng.randint(0, depth))
        elif kind < 0.8:
            body.append(f'<p title="{"x" * rng.choice([10, 1_000_000])}">{text(rng, 1, 40)}</p>')
        elif kind < 0.9:
            body.append(
                f"<h{rng.randint(1, 6)}>{text(rng, 1, 30)}<table><tr><td>{text(rng, 1, 30)}"
            )
        else:
            body.append("<!-- " + text(rng, 1, 40) + " --><![CDATA[" + text(rng, 1, 40))
    charset = rng.choice(["utf-8", "gb2312", "big5", "x-unknown", ""])
    head = f'<meta charset="{charset}">' if charset else ""
    html = f"<html><head>{head}<title>{text(rng, 1, 30)}</title></head><body>{''.join(body)}"
    return ".html", mutate(
        rng, html.encode(charset if charset in ("utf-8", "big5") else "utf-8", errors="replace")
    )


def odd(rng: random.Random) -> tuple[str, bytes]:
    """Empty files, one huge line, binary bytes — under any supported name."""
    suffix = rng.choice([".txt", ".md", ".jsonl", ".html", ".pdf", ".docx"])
    kind = rng.random()
    if kind < 0.3:
        return suffix, b""
    if kind < 0.6:
        line = rng.choice(LINES) * rng.randint(500, 3000)  # one paragraph of 50k-700k chars
        return suffix, line.encode("utf-8")
    return suffix, rng.randbytes(rng.randint(1, 20_000))


FORMATS: list[Callable[[random.Random], tuple[str, bytes]]] = [
    plain, markdown, jsonl, pdf, word, page, odd,
]  # fmt: skip


def case_file(folder: Path, seed: int, n: int) -> Path:
    rng = random.Random(seed * 1_000_003 + n)
    suffix, data = FORMATS[n % len(FORMATS)](rng)
    path = folder / f"case-{n:03d}{suffix}"
    path.write_bytes(data)
    return path


def serves(index: Path, embedder) -> str:
    """The generation served, after checking it answers a search."""
    retriever = Retriever.load(index, model=embedder)
    try:
        assert retriever.search("低保金發放", k=1), "the index answers nothing"
        return retriever.index.snapshot.path.name
    finally:
        retriever.close()


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", "build", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip


def check_command(done: subprocess.CompletedProcess, where: str) -> None:
    assert done.returncode in (0, 1), f"{where}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr, f"{where}:\n{done.stderr}"
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == (done.returncode == 1), f"{where}:\n{done.stderr}"
    assert not any("a bug in Report QA" in e for e in errors), f"{where}: a bug\n{done.stderr}"


@pytest.mark.slow
def test_random_and_mutated_reports_never_break_a_build_or_the_index(
    index_copy, tmp_path, embedder
):
    print(f"fuzz seed {SEED}: replay with QA_FUZZ_SEED={SEED}")
    started = time.monotonic()
    cases = tmp_path / "cases"
    cases.mkdir()
    failed: list[tuple[Path, QAError]] = []
    served = serves(index_copy, embedder)
    ran = 0
    for n in range(CASES):
        if time.monotonic() - started > DEADLINE_SECONDS:
            break
        path = case_file(cases, SEED, n)
        where = f"QA_FUZZ_SEED={SEED} case {n} ({path.name}, {path.stat().st_size} bytes)"
        try:
            build_index(path, index_copy, model=embedder)
        except QAError as exc:
            assert "\n" not in str(exc), f"{where}: a multi-line error: {exc!r}"
            failed.append((path, exc))
            assert serves(index_copy, embedder) == served, f"{where}: the index changed"
        except Exception as exc:  # pragma: no cover - what the fuzz test is for
            pytest.fail(f"{where}: {type(exc).__name__}: {exc}")
        else:
            new = serves(index_copy, embedder)
            assert new != served, f"{where}: built but not published"
            served = new
        ran += 1
    print(f"fuzz seed {SEED}: {ran} in-process cases in {time.monotonic() - started:.0f} s")
    assert ran >= 1
    assert IndexLayout(index_copy).exists()

    # The command: every case file at once (a folder: unreadable files are skipped) ...
    done = run_build(str(cases), "--index", str(index_copy))
    check_command(done, f"QA_FUZZ_SEED={SEED}: qa build {cases}")
    # ... and explicit files the library refused, which the command refuses in one line.
    for path, exc in failed[:CLI_CASES]:
        done = run_build(str(path), "--index", str(index_copy))
        check_command(done, f"QA_FUZZ_SEED={SEED}: qa build {path.name}")
        assert done.returncode == 1 and done.stderr.strip().splitlines()[-1] == error_line(exc)
    serves(index_copy, embedder)


def test_found_by_fuzzing_a_first_paragraph_without_words_builds(tmp_path, embedder):
    """A Markdown report whose first paragraph is "#" (no word BM25 can match) failed the
    new generation's validation query, which probed the first passage. Such a paragraph is
    no passage now (a line of marks alone is page furniture); the report builds and serves."""
    report = tmp_path / "report.md"
    report.write_text("# 標題\n\n#\n\n***\n\n全省發放救助資金12億元。\n", encoding="utf-8")
    built = build_index(report, tmp_path / "index", model=embedder)
    assert built.passages >= 1  # '#' and '***' are page furniture since the layout reader
    assert "12億元" in Retriever.load(tmp_path / "index", model=embedder).search("救助資金")[0].text
