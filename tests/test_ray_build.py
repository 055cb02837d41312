"""``qa build --ray`` (issue #14), read as a specification:

* same result — a build whose embedding ran on Ray holds the same passages, the same
  vectors (within 1e-5, same backend) and answers with the same hits as a local build;
* only what is missing — passages whose vectors are in the cache are not sent; vectors
  come back into the cache under the local path's keys, committed as each batch arrives;
* faults — an actor process killed mid-build is restarted by Ray and the build completes;
  a cluster that cannot place the actors fails after the stall limit instead of hanging;
  an unreachable cluster, or Ray not installed, is a one-line error before any work;
  Ctrl-C or ``kill -9`` of ``qa build --ray local`` leaves the previous index serving.

Real Ray: one local cluster (started in its own process by ``RayCluster.connect("local")``,
the code path of ``--ray local``) is shared by the in-process builds, which connect to it
by address like to any running cluster; the CLI tests start and stop their own.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import pytest

from qa import Retriever, build_index
from qa.config import cache_dir
from qa.errors import ScaleOutError
from qa.index import dense
from qa.index.cache import FILENAME as CACHE_FILE
from qa.index.layout import IndexLayout
from qa.index.manifest import Manifest
from qa.index.ray_embed import DATA_HEADROOM_CPUS, plan_pool
from qa.index.snapshot import Snapshot
from tests.conftest import DATA, ROOT
from tests.test_rebuild import (
    CITIES,
    has_open,
    leftovers,
    passage_count,
    wait_until,
    write_report,
)

pytestmark = pytest.mark.slow  # starts Ray clusters

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="Ray is not installed (pip install 'report-qa[ray]'; the README's test command does)",
)
#: Ray Data names an actor's process after the method it runs: ``….submit`` embeds a batch.
ACTOR_TITLE = b"ray::MapWorker(MapBatches(EmbedWorker))"

HOLD_CLUSTER = """
import sys
import ray
from qa.index.ray_embed import RayCluster

cluster = RayCluster.connect("local")
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
cluster.close()
"""

HOLD_CPUS = """
import sys
import ray

ray.init(address=sys.argv[1], logging_level="error")

@ray.remote(num_cpus=ray.cluster_resources()["CPU"])
class Busy:
    def ready(self):
        return True

busy = Busy.remote()
ray.get(busy.ready.remote())
print("held", flush=True)
sys.stdin.read()
"""


def _qa_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "QA_CACHE_DIR": str(cache_dir()), **extra}


@dataclass(frozen=True)
class Cluster:
    address: str  # its GCS, HOST:PORT
    client: str  # its Ray Client server, ray://HOST:PORT
    pid: int  # the process that started it: its raylet and workers run below it


@pytest.fixture(scope="module")
def ray_cluster():
    """A real local Ray cluster, running in its own process for the module, with a Ray
    Client server beside it (what ``ray start --head`` runs on port 10001)."""
    # Without token authentication (a driver connecting by address would need the token);
    # its workers import this checkout's qa, as a cluster runs the driver's version.
    env = _qa_env(RAY_AUTH_MODE="disabled", PYTHONPATH=str(ROOT))
    head = subprocess.Popen(
        [sys.executable, "-c", HOLD_CLUSTER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    address = head.stdout.readline().strip()
    if not address:
        head.kill()
        pytest.fail("the local Ray cluster did not start")
    port = closed_port()
    client_server = subprocess.Popen(
        [sys.executable, "-m", "ray.util.client.server", f"--address={address}",
         "--host=127.0.0.1", f"--port={port}", "--mode=proxy"],
        cwd=ROOT,
        env=env,
        # The per-driver servers it starts inherit its stdin; pytest's made them fail.
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield Cluster(address=address, client=f"ray://127.0.0.1:{port}", pid=head.pid)
    finally:
        below = descendants(client_server.pid)
        client_server.terminate()
        client_server.wait(timeout=30)
        for pid in below:  # the per-driver servers it started
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
        head.stdin.close()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait(timeout=30)


def actor_processes(cluster: Cluster) -> dict[int, bytes]:
    """pid → process title of the embedding actors running on ``cluster``."""
    titles = {pid: _title(pid) for pid in descendants(cluster.pid)}
    return {pid: title for pid, title in titles.items() if title.startswith(ACTOR_TITLE)}


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (exited, or a zombie waiting to be reaped)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@dataclass
class RayRun:
    """A Ray build of ``src`` into ``ray_idx`` and the local build of the same reports."""

    src: Path
    local_idx: Path
    ray_idx: Path
    report: object
    cached_before: int
    committed: list[tuple[int, int]] = field(default_factory=list)  # (done, rows in cache)
    killed: list[tuple[int, bytes, int]] = field(default_factory=list)  # pid, title, rows


def cache_rows(idx: Path) -> int:
    con = sqlite3.connect(f"file:{idx / 'cache' / CACHE_FILE}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM vectors").fetchone()[0]
    finally:
        con.close()


def kill_first_busy_actor(run: RayRun, cluster: Cluster, stop: threading.Event) -> None:
    """SIGKILL the first embedding actor seen running a batch (``….submit``)."""
    while not stop.is_set():
        for pid, title in actor_processes(cluster).items():
            if title.endswith(b".submit"):
                os.kill(pid, signal.SIGKILL)
                run.killed.append((pid, title, cache_rows(run.ray_idx)))
                return
        time.sleep(0.001)


@pytest.fixture(scope="module")
def ray_run(ray_cluster, tmp_path_factory, embedder) -> RayRun:
    """Six reports built locally, and on Ray into an index whose cache already holds two
    of them; one actor is killed with SIGKILL while it embeds a batch."""
    root = tmp_path_factory.mktemp("ray")
    src, part = root / "reports", root / "part"
    src.mkdir()
    part.mkdir()
    for i in range(6):
        path = write_report(src, f"report-{i:02d}", CITIES[i], 6, seed=40 + i)
        if i < 2:
            shutil.copy(path, part)
    local_idx, ray_idx = root / "local", root / "ray"
    build_index([src], local_idx, model=embedder)
    build_index([part], ray_idx, model=embedder)
    run = RayRun(src, local_idx, ray_idx, None, cached_before=cache_rows(ray_idx))

    def progress(done: int, total: int) -> None:
        if done > run.cached_before:  # seen from another connection: already committed?
            run.committed.append((done, cache_rows(ray_idx)))

    stop = threading.Event()
    killer = threading.Thread(
        target=kill_first_busy_actor, args=(run, ray_cluster, stop), daemon=True
    )
    killer.start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("QA_RAY_BATCH_SIZE", "4")  # several batches per worker
            run.report = build_index(
                [src], ray_idx, model=embedder, ray_address=ray_cluster.address, ray_workers=2,
                progress=progress,
            )  # fmt: skip
    finally:
        stop.set()
        killer.join(timeout=30)
    return run


# -- same result ------------------------------------------------------------------------------
@needs_ray
def test_ray_build_holds_the_same_passages_and_vectors_as_a_local_build(ray_run, embedder):
    local = Snapshot.open(IndexLayout(ray_run.local_idx).current(), embedder=embedder)
    remote = Snapshot.open(IndexLayout(ray_run.ray_idx).current(), embedder=embedder)
    try:
        assert [(p.id, p.text) for p in remote.store.all()] == [
            (p.id, p.text) for p in local.store.all()
        ]
        n = local.size
        assert remote.size == n == passage_count(ray_run.src) == 36
        a = dense.vectors(local.dense_index, range(n))
        b = dense.vectors(remote.dense_index, range(n))
        assert np.abs(a - b).max() <= 1e-5
    finally:
        local.close()
        remote.close()


@needs_ray
def test_ray_build_answers_with_the_same_hits(ray_run, embedder):
    local = Retriever.load(ray_run.local_idx, model=embedder)
    remote = Retriever.load(ray_run.ray_idx, model=embedder)
    questions = (
        [
            line.split("，", 1)[1]  # each report's paragraphs, without the leading "2020年"
            for path in sorted(ray_run.src.glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines()[:2]
        ]
        + ["How much did Harbin invest in elderly care?", "大慶市新增養老床位多少張"]
    )
    for question in questions:
        want, got = local.search(question, k=5), remote.search(question, k=5)
        assert [h.id for h in got] == [h.id for h in want], question
        assert np.allclose([h.score for h in got], [h.score for h in want], atol=1e-5)
    local.close()
    remote.close()


# -- only what is missing, streamed into the cache --------------------------------------------
@needs_ray
def test_only_passages_missing_from_the_cache_go_to_ray(ray_run):
    report = ray_run.report
    assert ray_run.cached_before == 12  # the two reports built first
    assert (report.embedded, report.reused, report.passages) == (24, 12, 36)
    assert report.ray["embedded"] == 24 and report.ray["workers"] == 2
    assert cache_rows(ray_run.ray_idx) == 36
    # Under the keys of the local path: the local build's cache holds the same keys.
    local = sqlite3.connect(ray_run.local_idx / "cache" / CACHE_FILE)
    remote = sqlite3.connect(ray_run.ray_idx / "cache" / CACHE_FILE)
    assert set(remote.execute("SELECT model, key FROM vectors")) == set(
        local.execute("SELECT model, key FROM vectors")
    )
    local.close()
    remote.close()


@needs_ray
def test_vectors_are_committed_to_the_cache_as_each_batch_arrives(ray_run):
    # Seen from another connection while the build ran: every batch was in the cache
    # (committed) when progress reported it, before the next one arrived.
    steps = ray_run.committed
    assert len(steps) >= 6  # 24 passages in batches of 4
    for done, rows in steps:
        assert rows == done  # 12 reused + what had arrived
    assert steps[-1] == (36, 36)


@needs_ray
def test_the_manifest_records_that_ray_embedded_it(ray_run):
    build = Manifest.load(IndexLayout(ray_run.ray_idx).current()).build
    ray_info = build["ray"]
    assert ray_info["workers"] == 2 and ray_info["embedded"] == 24
    assert ray_info["batch_size"] == 4 and 0 < ray_info["cpus_per_worker"] <= 1
    assert ray_info["address"] and ray_info["ray_version"]
    assert Manifest.load(IndexLayout(ray_run.local_idx).current()).build["ray"] is None


@needs_ray
def test_a_ray_client_driver_builds_the_same_index(ray_cluster, report_index, embedder, tmp_path):
    # ray:// cannot run Ray Data in the driver: the pipeline runs in an actor on the cluster.
    idx = tmp_path / "index"
    report = build_index([DATA], idx, model=embedder, ray_address=ray_cluster.client)
    assert report.ray["address"] == ray_cluster.client and report.embedded == report.passages
    local = Snapshot.open(IndexLayout(report_index).current(), embedder=embedder)
    remote = Snapshot.open(IndexLayout(idx).current(), embedder=embedder)
    try:
        assert [p.text for p in remote.store.all()] == [p.text for p in local.store.all()]
        rows = range(local.size)
        a, b = dense.vectors(local.dense_index, rows), dense.vectors(remote.dense_index, rows)
        assert np.abs(a - b).max() <= 1e-5
    finally:
        local.close()
        remote.close()


# -- faults -------------------------------------------------------------------------------------
@needs_ray
def test_an_actor_killed_mid_build_is_restarted_and_the_build_completes(ray_run):
    assert len(ray_run.killed) == 1, "no actor was seen embedding a batch"
    pid, title, rows = ray_run.killed[0]
    assert title.endswith(b".submit")  # it was embedding a batch
    assert rows < ray_run.report.passages  # mid-build
    assert gone(pid)
    # Its batch was embedded again: the build is complete (and its vectors are the local
    # build's: test_ray_build_holds_the_same_passages_and_vectors_as_a_local_build).
    assert ray_run.committed[-1] == (36, 36)


@needs_ray
def test_a_cluster_that_cannot_place_the_workers_fails_instead_of_hanging(
    ray_cluster, index_copy, embedder, tmp_path, monkeypatch
):
    before = IndexLayout(index_copy).current_name()
    src = tmp_path / "reports"
    src.mkdir()
    write_report(src, "busy", CITIES[7], 3, seed=77)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_CPUS, ray_cluster.address],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"  # every CPU of the cluster
        monkeypatch.setenv("QA_RAY_STALL_SECONDS", "4")
        started = time.monotonic()
        with pytest.raises(ScaleOutError, match=r"embedded nothing for 4 s"):
            build_index([src], index_copy, model=embedder, ray_address=ray_cluster.address)
        assert time.monotonic() - started < 60
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert IndexLayout(index_copy).current_name() == before and not leftovers(index_copy)
    assert Retriever.load(index_copy, model=embedder).search("養老機構", k=1)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def cli(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", *args],
        cwd=ROOT,
        env=env or _qa_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


@needs_ray
def test_an_unreachable_cluster_is_a_one_line_error_before_any_work(index_copy):
    before = IndexLayout(index_copy).current_name()
    port = closed_port()
    started = time.monotonic()
    proc = cli("build", "--index", str(index_copy), "--ray", f"127.0.0.1:{port}")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out, err)
    assert err.strip().splitlines() == [
        f"error: cannot reach the Ray cluster at 127.0.0.1:{port} "
        f"(127.0.0.1:{port}: Connection refused)"
    ]
    assert time.monotonic() - started < 30  # no 30 s of Ray retries, no model loaded
    assert IndexLayout(index_copy).current_name() == before and not leftovers(index_copy)


@needs_ray
@pytest.mark.parametrize("how", ["ray://HOST:PORT", "auto"])
def test_ray_client_and_auto_addresses_are_checked_before_any_work(how, tmp_path, monkeypatch):
    port = closed_port()
    if how == "auto":  # auto finds the cluster the way Ray does: RAY_ADDRESS first
        monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    address = how.replace("HOST:PORT", f"127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(
        ScaleOutError, match=rf"cannot reach the Ray cluster at {address} .*:{port}"
    ):
        build_index([tmp_path / "no-such-report.txt"], tmp_path / "index", ray_address=address)
    assert time.monotonic() - started < 10  # before reading the (missing) report
    assert not (tmp_path / "index" / "cache").exists()


def test_without_ray_installed_ray_is_a_one_line_error_saying_how_to_install_it(index_copy):
    # A Python where `import ray` fails, as on a machine without the extra.
    script = (
        "import sys; sys.modules['ray'] = None; from qa.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    before = IndexLayout(index_copy).current_name()
    proc = subprocess.run(
        [sys.executable, "-c", script, "build", "--index", str(index_copy), "--ray", "local"],
        cwd=ROOT,
        env=_qa_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        'error: embedding on Ray needs Ray, which is not installed: pip install "report-qa[ray]"'
    ]
    assert IndexLayout(index_copy).current_name() == before


@pytest.mark.parametrize(
    ("cpus", "workers", "want"),
    [
        (2, None, (2, 0.75)),  # one worker per CPU, half a CPU left to Ray Data
        (2, 1, (1, 1.0)),  # a worker never asks for more than its one core
        (16, None, (16, 0.968)),
        (1, None, (1, 0.5)),
        (2, 6, (6, 0.25)),  # more workers than CPUs share what there is
    ],
)
def test_the_pool_is_sized_from_the_cluster_cpus(cpus, workers, want):
    plan = plan_pool(cpus, 1, workers=workers)
    assert (plan.workers, plan.cpus_per_worker) == want
    assert plan.workers * plan.cpus_per_worker <= max(cpus - DATA_HEADROOM_CPUS, 0.5)


def test_a_cluster_without_cpus_or_a_pool_without_workers_is_refused(tmp_path):
    with pytest.raises(ScaleOutError, match="no CPU"):
        plan_pool(0, 1)
    with pytest.raises(ScaleOutError, match="at least 1"):
        build_index([ROOT / "data"], tmp_path / "index", ray_address="local", ray_workers=0)
    assert not (tmp_path / "index" / "cache").exists()


def test_ray_workers_need_ray(index_copy):
    proc = subprocess.run(
        [sys.executable, "-m", "qa.cli", "build", "--index", str(index_copy), "--ray-workers", "2"],
        cwd=ROOT,
        env=_qa_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--ray-workers needs --ray" in proc.stderr


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupting_qa_build_ray_local_leaves_the_previous_index_serving(
    sig, index_copy, embedder, tmp_path
):
    layout = IndexLayout(index_copy)
    before = layout.current_name()
    count = Manifest.load(layout.current()).corpus["passages"]
    src = tmp_path / "reports"
    src.mkdir()
    for i in range(4):
        write_report(src, f"big-{i:02d}", CITIES[i], 10, seed=300 + i)
    proc = cli("build", str(src), "--index", str(index_copy), "--ray", "local")
    ray_processes: set[int] = set()
    try:
        # Embedding on the cluster it started: the cache is open and Ray runs below it.
        wait_until(lambda: has_open(proc.pid, CACHE_FILE), proc, "embedding starts", 180)
        ray_processes = descendants(proc.pid)
        assert ray_processes, "expected the local Ray cluster's processes"
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=120)
        if sig == signal.SIGINT:
            last = err.strip().splitlines()[-1]
            assert proc.returncode == 130 and last.startswith(
                "interrupted (the index was not changed"
            ), err
        else:
            assert proc.returncode == -signal.SIGKILL
        assert layout.current_name() == before and not leftovers(index_copy)
        assert Manifest.load(layout.current()).corpus["passages"] == count
        retriever = Retriever.load(index_copy, model=embedder)
        assert retriever.index.snapshot.size == count and retriever.search("養老機構", k=1)
        retriever.close()
        # The cluster's own processes (GCS, raylet, workers) go with the build.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            gone(p) or b"Agent" in _title(p) for p in ray_processes
        ):
            time.sleep(0.2)
        assert [p for p in ray_processes if not gone(p) and b"Agent" not in _title(p)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for pid in ray_processes:  # Ray's agents notice the lost raylet within a minute
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def _title(pid: int) -> bytes:
    """The process title (its first command-line word; Ray sets it to the actor's name)."""
    try:
        cmdline = psutil.Process(pid).cmdline()
    except psutil.Error:
        return b""
    return cmdline[0].encode() if cmdline else b""
