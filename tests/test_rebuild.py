"""Rebuilding an index in place (issue #4), read as a specification:

* incremental — only passages whose embedded text changed are embedded; the rest come from
  the cache; removing a report removes its passages;
* atomic — ``kill -9`` at any moment of a build leaves the previous index serving, and a
  second build running at the same time is refused (across processes), with a clear message;
* hot reload — a long-lived ``Retriever`` switches to a newly published generation without
  a restart, and a query already in flight finishes on the generation it started on.

Real model, real files in ``tmp_path``, real ``qa build`` processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from qa import Retriever, build_index
from qa.config import cache_dir
from qa.corpus import read_sources
from qa.errors import BuildLockedError
from qa.index import served as served_module
from qa.index.layout import CURRENT, GEN_PREFIX, TMP_PREFIX, IndexLayout
from qa.index.manifest import Manifest
from tests.conftest import ROOT

CITIES = (
    "哈爾濱市", "齊齊哈爾市", "牡丹江市", "佳木斯市", "大慶市", "雞西市", "雙鴨山市",
    "伊春市", "七台河市", "鶴崗市", "黑河市", "綏化市", "大興安嶺地區",
)  # fmt: skip
TOPICS = (
    ("城鄉低保", "保障困難群眾", "萬人"),
    ("特困人員供養", "新建供養服務設施", "處"),
    ("養老服務", "新增養老床位", "張"),
    ("社區建設", "建成城鄉社區綜合服務站", "個"),
    ("殯葬改革", "新建公益性公墓", "座"),
    ("兒童福利", "保障孤兒和事實無人撫養兒童", "名"),
    ("社會組織", "登記社會組織", "家"),
    ("臨時救助", "實施臨時救助", "人次"),
)
#: A phrase no generated report contains but the "new" one.
NEW_TOPIC = "冰雪旅遊惠民補貼在漠河北極村發放到戶"


def paragraph(city: str, n: int, seed: int) -> str:
    """One unique, plausible report paragraph (the figures make it unique)."""
    topic, action, unit = TOPICS[(n + seed) % len(TOPICS)]
    money = 1 + (seed * 37 + n * 13) % 97
    count = 100 + (seed * 211 + n * 53) % 9000
    return (
        f"2020年，{city}{topic}工作扎實推進，全年累計投入資金{money}.{n % 10}億元，"
        f"{action}{count}{unit}，第{n + 1}項重點任務按期完成。"
    )


def write_report(folder: Path, name: str, city: str, paragraphs: int, seed: int) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(
        "\n".join(paragraph(city, n, seed) for n in range(paragraphs)) + "\n", encoding="utf-8"
    )
    return path


def write_new_report(folder: Path) -> Path:
    """The report added by the incremental tests: three paragraphs, one of them distinctive."""
    path = folder / "heihe-new.txt"
    path.write_text(
        f"2020年，黑河市{NEW_TOPIC}，共計發放資金3.8億元，惠及邊境群眾12000戶。\n"
        + "\n".join(paragraph("黑河市", n, 991) for n in range(2))
        + "\n",
        encoding="utf-8",
    )
    return path


def passage_count(*paths: Path) -> int:
    return len(read_sources(list(paths)).passages)


@pytest.fixture(scope="module")
def small_built(tmp_path_factory, embedder) -> tuple[Path, Path]:
    """Four reports of five paragraphs and their index, built once for the module."""
    root = tmp_path_factory.mktemp("small")
    src, idx = root / "reports", root / "index"
    src.mkdir()
    for i in range(4):
        write_report(src, f"report-{i:02d}", CITIES[i], 5, seed=i)
    build_index([src], idx, model=embedder)
    return src, idx


@pytest.fixture
def small(small_built, tmp_path) -> tuple[Path, Path]:
    """A private copy of the small reports and their index (cache included)."""
    src, idx = tmp_path / "reports", tmp_path / "index"
    shutil.copytree(small_built[0], src)
    shutil.copytree(small_built[1], idx)
    return src, idx


def current_manifest(idx: Path) -> Manifest:
    return Manifest.load(IndexLayout(idx).current())


def docs_of(hits) -> set[str]:
    return {h.doc for h in hits}


# -- incremental ---------------------------------------------------------------------------
def test_adding_one_report_embeds_only_its_passages(small, embedder):
    src, idx = small
    before = current_manifest(idx).corpus["passages"]
    new = write_new_report(src)
    report = build_index([src], idx, model=embedder)
    assert report.embedded == passage_count(new) == 3
    assert report.reused == before
    assert report.passages == before + 3 and report.documents == 5
    assert current_manifest(idx).build["embedded"] == 3
    hits = Retriever.load(idx, model=embedder).search(NEW_TOPIC, k=3)
    assert hits[0].doc == "heihe-new" and NEW_TOPIC in hits[0].text


def test_removing_a_report_removes_its_passages(small, embedder):
    src, idx = small
    gone = src / "report-02.txt"
    gone_text = gone.read_text(encoding="utf-8").splitlines()[0]
    before = current_manifest(idx).corpus
    retriever = Retriever.load(idx, model=embedder)
    assert "report-02" in docs_of(retriever.search(gone_text, k=20))

    gone.unlink()
    report = build_index([src], idx, model=embedder)
    assert report.embedded == 0 and report.reused == report.passages
    after = current_manifest(idx).corpus
    assert after["passages"] == before["passages"] - 5
    assert after["documents"] == before["documents"] - 1
    assert not [f for f in after["files"] if f.endswith("report-02.txt")]
    fresh = Retriever.load(idx, model=embedder)
    hits = fresh.search(gone_text, k=after["passages"])
    assert len(hits) == after["passages"] and "report-02" not in docs_of(hits)
    assert "report-02" not in fresh.documents


def test_editing_one_paragraph_re_embeds_exactly_one_passage(small, embedder):
    src, idx = small
    path = src / "report-01.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    old, lines[2] = lines[2], "2020年，齊齊哈爾市扎龍濕地丹頂鶴保護站新增救護床位77張。"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = current_manifest(idx).corpus["passages"]
    report = build_index([src], idx, model=embedder)
    assert (report.embedded, report.reused, report.passages) == (1, total - 1, total)
    retriever = Retriever.load(idx, model=embedder)
    texts = {h.text for h in retriever.search("扎龍濕地丹頂鶴保護站", k=total)}
    assert lines[2] in texts and old not in texts


# -- atomic: kill -9, concurrent builds -----------------------------------------------------
def cli_build(src: Path, idx: Path, **kw) -> subprocess.Popen:
    """``qa build SRC --index IDX`` in its own process, using the already converted model."""
    env = {**os.environ, "QA_CACHE_DIR": str(cache_dir())}
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "build", str(src), "--index", str(idx)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def wait_until(predicate, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the build ended (rc {proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.001)


def has_open(pid: int, filename: str) -> bool:
    """Whether process ``pid`` holds ``filename`` open."""
    try:
        return any(f.path.endswith(filename) for f in psutil.Process(pid).open_files())
    except psutil.Error:
        return False


def leftovers(idx: Path) -> list[Path]:
    return sorted(idx.glob(TMP_PREFIX + "*"))


def sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_serves(idx: Path, generation: str, passages: int, question: str, doc: str, embedder):
    """``CURRENT`` names ``generation``, a complete generation that loads and answers."""
    layout = IndexLayout(idx)
    assert layout.current_name() == generation
    assert (idx / CURRENT).read_text(encoding="utf-8").strip() == generation
    manifest = Manifest.load(layout.current())
    assert manifest.corpus["passages"] == passages
    retriever = Retriever.load(idx, model=embedder)
    assert retriever.index.snapshot.size == passages
    assert doc in docs_of(retriever.search(question, k=5))
    retriever.close()


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_previous_index_serving(small, embedder):
    src, idx = small
    layout = IndexLayout(idx)
    question = (src / "report-00.txt").read_text(encoding="utf-8").splitlines()[0]
    gen_a, count_a = layout.current_name(), current_manifest(idx).corpus["passages"]

    # 120 new paragraphs: the build spends seconds embedding them (one cache batch, so a
    # kill commits none of them).
    for i in range(12):
        write_report(src, f"big-{i:02d}", CITIES[i % len(CITIES)], 10, seed=100 + i)
    count_b = passage_count(src)

    # 1. Killed while embedding (it holds the embedding cache open, no generation written).
    proc = cli_build(src, idx)
    wait_until(lambda: has_open(proc.pid, "embeddings.sqlite"), proc, "embedding starts")
    time.sleep(0.3)
    # Meanwhile a second build is refused at once, naming the one running.
    started = time.monotonic()
    with pytest.raises(BuildLockedError, match=rf"another build .* is running \(pid {proc.pid}\)"):
        build_index([src], idx, model=embedder)
    assert time.monotonic() - started < 5
    assert proc.poll() is None and not leftovers(idx), "expected the build to be embedding"
    sigkill(proc)
    assert not leftovers(idx)
    assert_serves(idx, gen_a, count_a, question, "report-00", embedder)

    # The kernel released the dead build's lock: the next build runs and completes.
    report = build_index([src], idx, model=embedder)
    assert report.passages == count_b and report.embedded + report.reused == count_b
    gen_b = layout.current_name()
    assert gen_b != gen_a and gen_b.startswith(GEN_PREFIX)

    # 2. Killed as soon as the new generation's folder appears (writing / validating it).
    for i in range(6):  # a build that needs no embedding reaches this point quickly
        (src / f"big-{i:02d}.txt").unlink()
    count_c = passage_count(src)
    proc = cli_build(src, idx)
    wait_until(lambda: bool(leftovers(idx)), proc, "the new generation's folder appears")
    sigkill(proc)
    assert leftovers(idx), "the killed build's half-written generation stays until the next build"
    assert_serves(idx, gen_b, count_b, question, "report-00", embedder)

    # 3. The next build succeeds and removes the dead build's leftovers.
    report = build_index([src], idx, model=embedder)
    assert (report.passages, report.embedded) == (count_c, 0)
    assert not leftovers(idx) and not list(idx.glob(f".{CURRENT}.*"))
    assert_serves(idx, report.generation.name, count_c, question, "report-00", embedder)


HOLD_LOCK = """
import sys
from qa.index.layout import IndexLayout
with IndexLayout(sys.argv[1]).lock():
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.mark.slow
def test_a_second_build_in_another_process_is_refused(small, embedder):
    src, idx = small
    before = IndexLayout(idx).current_name()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(idx)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(
            BuildLockedError, match=rf"another build .* is running \(pid {holder.pid}\)"
        ):
            build_index([src], idx, model=embedder)
        assert time.monotonic() - started < 5  # refused before reading reports or the model

        cli = cli_build(src, idx)
        out, err = cli.communicate(timeout=60)
        assert cli.returncode == 1, (out, err)
        err = " ".join(err.split())  # the console may wrap the message
        assert "another build" in err and "is running" in err and f"pid {holder.pid}" in err
        assert IndexLayout(idx).current_name() == before and not leftovers(idx)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    report = build_index([src], idx, model=embedder)  # released: builds again
    assert report.embedded == 0


# -- hot reload ---------------------------------------------------------------------------
def test_a_running_retriever_switches_to_a_new_generation(small, embedder, monkeypatch):
    src, idx = small
    retriever = Retriever.load(idx, model=embedder)
    gen_a = retriever.index.snapshot.path
    old = retriever.index.snapshot  # what a query started before the rebuild is using
    assert "heihe-new" not in docs_of(retriever.search(NEW_TOPIC, k=5))

    # A query in flight: it took its snapshot, then stalls (in the query encoder) while the
    # index is rebuilt and the retriever switches.
    in_query, may_go, result = threading.Event(), threading.Event(), {}
    encode = old.encode_query

    def stalled_encode(question: str):
        in_query.set()
        assert may_go.wait(60)
        return encode(question)

    monkeypatch.setattr(old, "encode_query", stalled_encode)
    monkeypatch.setattr(served_module, "RELOAD_CHECK_SECONDS", 3600.0)
    thread = threading.Thread(
        target=lambda: result.setdefault("hits", retriever.search(NEW_TOPIC, k=5))
    )
    thread.start()
    assert in_query.wait(30)

    write_new_report(src)
    report = build_index([src], idx, model=embedder)
    assert report.generation != gen_a and report.embedded == 3
    # Not checked yet (at most once per RELOAD_CHECK_SECONDS): still the old generation.
    assert retriever.index.snapshot is old
    monkeypatch.setattr(served_module, "RELOAD_CHECK_SECONDS", 0.0)
    hits = retriever.search(NEW_TOPIC, k=5)
    assert retriever.index.snapshot.path == report.generation
    assert hits[0].doc == "heihe-new"
    assert "heihe-new" in retriever.documents

    # The in-flight query finishes, on the old generation (whose files are kept).
    may_go.set()
    thread.join(30)
    assert not thread.is_alive()
    assert result["hits"] and "heihe-new" not in docs_of(result["hits"])
    assert gen_a.is_dir() and IndexLayout(idx).current_name() == report.generation.name
    _scores, rows = old.dense_search(encode(NEW_TOPIC), 3)
    assert old.store.get([int(r) for r in rows if r >= 0])
    retriever.close()
