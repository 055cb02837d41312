"""Embed passages on a Ray cluster (``qa build --ray ADDRESS``).

Only the embedding leaves this machine: the passages that are not in the embedding cache
go to Ray Data's ``map_batches`` over a pool of actors, each holding one model loaded once
(from an ``EmbedderSpec``: the driver's model folder, never converted again), and their
vectors stream back into the cache batch by batch. The rest of the build (FAISS, BM25,
SQLite, the atomic switch) runs where ``qa build`` runs, as without Ray.

``ADDRESS`` is ``local`` (start a Ray cluster on this machine for the build and stop it
after), ``auto`` (the cluster this machine belongs to), ``HOST:PORT`` (its GCS) or
``ray://HOST:10001`` (Ray Client). Ray is optional: ``pip install "report-qa[ray]"``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import numpy as np

import qa.config as config
from qa.embed import DEFAULT_BATCH_SIZE, EmbedderSpec
from qa.errors import ScaleOutError

if TYPE_CHECKING:  # Ray is an optional extra
    import ray.data

log = logging.getLogger(__name__)

LOCAL = "local"
CLIENT_PREFIX = "ray://"
#: How long a Ray Client driver waits for each pull of batches from the cluster.
HOST_PULL_SECONDS = 2.0
INSTALL_HINT = 'pip install "report-qa[ray]"'
#: CPU share left to Ray Data's own tasks beside the actor pool. Measured on 2 CPUs: a pool
#: whose actors asked for a whole CPU each starved Data's other tasks and hung; actors
#: sharing what is left after half a CPU ran.
DATA_HEADROOM_CPUS = 0.5
#: Object store of a cluster started with ``local``: the passage texts sent (about 0.5 kB
#: each) and the vectors in flight (1.5 kB each); Ray spills to disk past it. Shared
#: memory is mapped lazily, so the cap costs nothing until used.
LOCAL_OBJECT_STORE_BYTES = 1 << 30
#: Actors that may die while loading the model (a node lost, out of memory) and be
#: replaced before the build fails; a model that cannot load fails every actor at once.
ACTOR_INIT_DEATHS = 2
#: A cluster that does not accept a TCP connection in this time is reported unreachable
#: (Ray itself would retry for 30 s or more before failing).
CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class PoolPlan:
    """How the actor pool is sized: ``workers`` actors, each one model on one core."""

    workers: int
    cpus_per_worker: float
    batch_size: int
    cluster_cpus: float
    nodes: int


def plan_pool(
    cluster_cpus: float, nodes: int, *, workers: int | None = None, batch_size: int | None = None
) -> PoolPlan:
    """Size the pool from the cluster's CPUs: one worker per CPU by default, each asking
    for at most one CPU and together leaving ``DATA_HEADROOM_CPUS`` to Ray Data."""
    if cluster_cpus <= 0:
        raise ScaleOutError("the Ray cluster has no CPU to embed on")
    count = workers or max(1, math.floor(cluster_cpus))
    share = min(1.0, max(cluster_cpus - DATA_HEADROOM_CPUS, DATA_HEADROOM_CPUS) / count)
    return PoolPlan(
        workers=count,
        cpus_per_worker=math.floor(share * 1000) / 1000,  # rounded down: the sum must fit
        # One encode batch per call: vectors come back (and are committed) as soon as
        # possible, and a short tail keeps the last worker from holding up the build.
        batch_size=batch_size or config.ray_batch_size() or DEFAULT_BATCH_SIZE,
        cluster_cpus=cluster_cpus,
        nodes=nodes,
    )


def _import_ray() -> ModuleType:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ScaleOutError(
            f"embedding on Ray needs Ray, which is not installed: {INSTALL_HINT}"
        ) from None
    return ray


def _bootstrap_address(address: str) -> tuple[str, int]:
    """``(host, port)`` that must accept a connection for ``address`` to work; ``auto``
    is resolved the way Ray resolves it."""
    target = address
    if address == "auto":
        from ray._private import services  # Ray's own resolution of "auto" (version pinned)

        try:
            target = services.canonicalize_bootstrap_address(address) or ""
        except ConnectionError:
            raise ScaleOutError(
                "Ray address auto: no running Ray cluster found from this machine "
                "(start one with 'ray start --head', or use local)"
            ) from None
    target = target.removeprefix(CLIENT_PREFIX)
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise ScaleOutError(
            f"Ray address {address!r} is not local, auto, HOST:PORT or ray://HOST:PORT"
        )
    return host.strip("[]") or "127.0.0.1", int(port)


def _check_reachable(address: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScaleOutError(
            f"cannot reach the Ray cluster at {address} ({host}:{port}: {reason})"
        ) from None


class RayCluster:
    """A connection to a Ray cluster for one build. ``embed()`` runs the embedding on it;
    ``close()`` disconnects, and stops the cluster if this connection started it."""

    def __init__(
        self,
        address: str,
        *,
        workers: int | None,
        owned: bool,
        log_levels: dict[str, int] | None = None,
    ) -> None:
        self.address = address
        self.workers = workers
        #: What the last ``embed()`` did (None until it ran).
        self.embedding: RayEmbedding | None = None
        self._owned = owned  # False: the process was already connected; leave it so
        self._log_levels = log_levels or {}

    @classmethod
    def connect(cls, address: str, *, workers: int | None = None) -> RayCluster:
        """Connect to ``address`` (``local`` starts a cluster here); ``ScaleOutError`` at
        once if Ray is missing or the cluster is unreachable. ``workers`` embedding actors
        (default: one per CPU of the cluster)."""
        if workers is not None and workers < 1:
            raise ScaleOutError(f"the number of Ray workers must be at least 1, not {workers}")
        ray = _import_ray()
        if ray.is_initialized():
            return cls(address, workers=workers, owned=False)
        quiet = not log.isEnabledFor(logging.INFO)
        options: dict[str, Any] = {
            "log_to_driver": not quiet,
            "logging_level": logging.ERROR if quiet else logging.INFO,
        }
        if address == LOCAL:  # CPUs: Ray's own count (it reads cgroup limits)
            options |= {
                "object_store_memory": LOCAL_OBJECT_STORE_BYTES,
                "include_dashboard": False,
            }
        else:
            host, port = _bootstrap_address(address)
            _check_reachable(address, host, port)
        levels = _quiet_ray_loggers() if quiet else {}
        began = time.monotonic()
        try:
            ray.init(address=address, **options)
        except Exception as exc:  # whatever stops Ray from connecting, in one line
            _restore(levels)
            raise ScaleOutError(
                f"cannot connect to the Ray cluster at {address}: {_first_line(exc)} "
                "(a cluster with token authentication also needs RAY_AUTH_MODE=token "
                "and its token here)"
            ) from None
        log.info("connected to Ray at %s in %.1f s", address, time.monotonic() - began)
        return cls(address, workers=workers, owned=True, log_levels=levels)

    def resources(self) -> tuple[float, int]:
        """(CPUs, live nodes) of the cluster."""
        import ray

        cpus = float(ray.cluster_resources().get("CPU", 0.0))
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        return cpus, nodes

    def embed(
        self,
        spec: EmbedderSpec,
        keys: Sequence[str],
        texts: Sequence[str],
        on_vectors: Callable[[list[str], np.ndarray], None],
    ) -> RayEmbedding:
        """Embed ``texts`` (unique, keyed by ``keys``) on the cluster, calling
        ``on_vectors(keys, vectors)`` in this thread for each batch as it arrives, in any
        order. ``ScaleOutError`` when the workers fail (after Ray's restarts) or when no
        batch arrives for ``QA_RAY_STALL_SECONDS``."""
        self.embedding = _embed(self, spec, keys, texts, on_vectors)
        return self.embedding

    def close(self) -> None:
        if self._owned:
            import ray

            ray.shutdown()  # for ``local`` this also stops the cluster it started
            _restore(self._log_levels)
            self._owned = False

    def __enter__(self) -> RayCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quiet_ray_loggers() -> dict[str, int]:
    """Keep Ray's own notices (token set-up, execution summaries) off the user's terminal
    unless ``-v``: failures come back as errors anyway. Returns the levels to restore."""
    levels = {}
    for name in ("ray", "ray.data"):
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.ERROR)
    return levels


def _restore(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


class EmbedWorker:
    """A Ray Data actor: one model, loaded once from ``spec``, on ``threads`` threads."""

    def __init__(self, spec: EmbedderSpec, threads: int) -> None:
        self.embedder = replace(spec, threads=threads).load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.embedder.encode_passages([str(t) for t in batch["text"]])
        return {"key": batch["key"], "vector": vectors}


@dataclass(frozen=True)
class RayEmbedding:
    """What a Ray embedding run did (kept in the manifest's build info)."""

    address: str
    workers: int
    cpus_per_worker: float
    batch_size: int
    cluster_cpus: float
    nodes: int
    embedded: int
    seconds: float
    ray_version: str

    def as_dict(self) -> dict:
        return asdict(self)


def _embed(
    cluster: RayCluster,
    spec: EmbedderSpec,
    keys: Sequence[str],
    texts: Sequence[str],
    on_vectors: Callable[[list[str], np.ndarray], None],
) -> RayEmbedding:
    import ray

    stall = config.ray_stall_seconds()
    cpus, nodes = cluster.resources()
    plan = plan_pool(cpus, nodes, workers=cluster.workers)
    blocks = max(1, math.ceil(len(keys) / plan.batch_size))
    if plan.workers > blocks:  # an actor with no batch to embed would only load the model
        plan = replace(plan, workers=blocks)
    log.info(
        "embedding %d passages on Ray: %d workers x %.2f CPU, batches of %d",
        len(keys),
        plan.workers,
        plan.cpus_per_worker,
        plan.batch_size,
    )
    quiet = not log.isEnabledFor(logging.INFO)
    began = time.monotonic()
    rows = [{"key": k, "text": t} for k, t in zip(keys, texts, strict=True)]
    if cluster.address.startswith(CLIENT_PREFIX):
        batches = _stream_through_host(rows, spec, plan, stall, quiet)
    else:
        batches = _stream(_pipeline(rows, spec, plan, quiet), stall, workers=plan.workers)
    done = 0
    for batch in batches:
        vectors = np.ascontiguousarray(batch["vector"], dtype=np.float32)
        on_vectors([str(k) for k in batch["key"]], vectors)
        done += len(vectors)
    if done != len(keys):
        raise ScaleOutError(f"Ray returned {done} vectors for {len(keys)} passages")
    return RayEmbedding(
        address=cluster.address,
        workers=plan.workers,
        cpus_per_worker=plan.cpus_per_worker,
        batch_size=plan.batch_size,
        cluster_cpus=plan.cluster_cpus,
        nodes=plan.nodes,
        embedded=done,
        seconds=round(time.monotonic() - began, 2),
        ray_version=ray.__version__,
    )


def _pipeline(
    rows: list[dict], spec: EmbedderSpec, plan: PoolPlan, quiet: bool
) -> ray.data.Dataset:
    """The Ray Data pipeline: passages → actor pool → ``{"key", "vector"}`` batches."""
    import ray.data

    ds: ray.data.Dataset = ray.data.from_items(
        rows,
        # A block per batch: each comes back (and is cached) as soon as it is embedded.
        override_num_blocks=max(1, math.ceil(len(rows) / plan.batch_size)),
    )
    ds = ds.map_batches(
        EmbedWorker,
        fn_constructor_kwargs={"spec": spec, "threads": 1},
        batch_size=plan.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=plan.workers),
        # Ray Data restarts an actor whose process dies and retries the batch it held.
        num_cpus=plan.cpus_per_worker,
    )
    ds.context.enable_progress_bars = not quiet
    ds.context.print_on_execution_start = not quiet
    ds.context.max_consecutive_actor_init_deaths = ACTOR_INIT_DEATHS
    return ds


class PipelineHost:
    """Runs the pipeline inside the cluster for a Ray Client driver (``ray://``), which
    cannot execute Ray Data itself, and hands its batches out as they come."""

    def __init__(
        self, rows: list[dict], spec: EmbedderSpec, plan: PoolPlan, stall: float, quiet: bool
    ) -> None:
        self._inbox: queue.Queue = queue.Queue()

        def run() -> None:
            try:
                ds = _pipeline(rows, spec, plan, quiet)
                for batch in _stream(ds, stall, workers=plan.workers):
                    self._inbox.put(("batch", batch))
                self._inbox.put(("done", None))
            except ScaleOutError as exc:  # handed to the driver as its one line
                self._inbox.put(("error", str(exc)))
            except Exception as exc:
                self._inbox.put(("error", f"embedding on Ray failed: {_first_line(exc)}"))

        threading.Thread(target=run, name="qa-ray-pipeline", daemon=True).start()

    def take(self, wait: float) -> list[tuple[str, Any]]:
        """What arrived since the last call, waiting up to ``wait`` seconds for something."""
        items = []
        try:
            items.append(self._inbox.get(timeout=wait))
            while True:
                items.append(self._inbox.get_nowait())
        except queue.Empty:
            pass
        return items


def _stream_through_host(
    rows: list[dict], spec: EmbedderSpec, plan: PoolPlan, stall: float, quiet: bool
) -> Iterator[dict[str, np.ndarray]]:
    import ray
    from ray.actor import ActorHandle

    # Ray types an actor class's remote() as "a handle or the class itself": it is a handle.
    host = cast(
        "ActorHandle[PipelineHost]",
        ray.remote(num_cpus=0)(PipelineHost).remote(rows, spec, plan, stall, quiet),
    )
    try:
        while True:
            # The pipeline stops itself after ``stall`` seconds without progress; this
            # wait only keeps Ctrl-C responsive between pulls.
            try:
                items = ray.get(host.take.remote(HOST_PULL_SECONDS))
            except Exception as exc:  # the host died with its node, or the connection
                raise ScaleOutError(f"embedding on Ray failed: {_first_line(exc)}") from exc
            for kind, item in items:
                if kind == "error":
                    raise ScaleOutError(item)
                if kind == "done":
                    return
                yield item
    finally:
        with contextlib.suppress(Exception):  # already gone with a lost connection
            ray.kill(host)


def _stream(ds: ray.data.Dataset, stall_seconds: float, *, workers: int) -> Iterator[dict[str, np.ndarray]]:
    """The output batches of ``ds``. Ray Data's own guard stops an execution in which no
    block moves for ``stall_seconds`` (actors that cannot be placed, a pool that keeps
    dying): that, and any failure of the workers, is a ``ScaleOutError``. Iterated in
    this thread, so Ctrl-C stops the execution and nothing keeps running after it."""
    from ray.data.exceptions import ExecutionTimeoutError

    ds.context.execution_no_progress_timeout_s = stall_seconds
    batches = iter(ds.iter_batches(batch_size=None, batch_format="numpy"))
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except ExecutionTimeoutError:
            raise ScaleOutError(
                f"the Ray cluster embedded nothing for {stall_seconds:g} s "
                f"({workers} worker(s) asked for; is the cluster busy or short of CPU?); "
                "the build was stopped and the previous index is still served "
                "(QA_RAY_STALL_SECONDS sets this limit)"
            ) from None
        except Exception as exc:  # Ray wraps a worker's failure in many types
            raise ScaleOutError(f"embedding on Ray failed: {_first_line(exc)}") from exc
        yield batch


def _first_line(exc: BaseException) -> str:
    """The cause a person can act on, in one line (Ray wraps it in a long traceback)."""
    cause = exc
    while (inner := getattr(cause, "cause", None)) is not None:  # RayTaskError keeps the user's
        cause = inner
    text = str(cause).strip() or type(cause).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else type(cause).__name__
