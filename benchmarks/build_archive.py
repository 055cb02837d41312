"""An archive build, timed line by line: throughput before → after, and how true every
"time left" it printed was.

    python benchmarks/build_archive.py [--archive DIR] [--baseline REF] [--rounds N] [--json]

Runs ``qa build ARCHIVE --index <fresh folder>`` (so the embedding cache starts empty) with
stderr piped, as a user's redirected build prints it: plain lines, about one every 10 s.
Every line is recorded with the second it arrived. From them:

* stages: start-up and reading (process start → "embedding N of M passages"), embedding
  (→ "writing the index …", printed the moment the last vector is stored), writing (→ exit);
* throughput: passages/s and tokens/s of the whole build and of its embedding (tokens: the
  archive's passages as the bundled model reads them — prompt, title and section
  included, truncated to its 512 — counted once by this checkout);
* every line with a time left ("~1 min 40 s left"): the estimate against the truth, the
  seconds from that line to the end of embedding, and its error in percent; the same
  against the end of the whole build is printed beside it.

``--baseline REF`` runs the same build with the code of a git ref (a temporary worktree
of this repository; ``main`` by default when given without a value) in the same run,
rounds interleaved (baseline, this checkout, baseline, …): on a shared machine only
ratios measured side by side hold. Environment (``QA_PRECISION``, ``QA_THREADS``…) is
passed on to every build unchanged; ``--precision`` sets ``QA_PRECISION`` for this
checkout's builds only (e.g. ``int8`` to see what int8 would give as the default).

The archive defaults to ``../shared/archive`` (or ``$QA_SHARED/archive``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))

_LEFT = re.compile(r"~((?:\d+ h)? ?(?:\d+ min)? ?(?:\d+ s)?) left")
_DURATION = re.compile(r"(\d+) (h|min|s)\b")
_BUILT = re.compile(r"(\d+) passages \((\d+) embedded")


@dataclass
class Line:
    """One line the build printed, ``at`` seconds after it started."""

    at: float
    text: str


@dataclass
class Build:
    """One recorded build and what its lines say."""

    label: str
    lines: list[Line]
    seconds: float
    passages: int = 0
    embedded: int = 0
    embedding_started: float | None = None
    embedding_ended: float | None = None
    estimates: list[dict] = field(default_factory=list)

    def stage_seconds(self) -> dict[str, float | None]:
        start, end = self.embedding_started, self.embedding_ended
        return {
            "start-up and reading": start,
            "embedding": end - start if start is not None and end is not None else None,
            "writing": self.seconds - end if end is not None else None,
        }


def seconds_of(text: str) -> float:
    """Seconds in a duration as ``qa`` prints it: "40 s", "1 min 40 s", "2 h 5 min"."""
    unit = {"h": 3600, "min": 60, "s": 1}
    return float(sum(int(n) * unit[u] for n, u in _DURATION.findall(text)))


def record(
    label: str, archive: Path, *, code: Path, env: dict[str, str], keep: Path | None = None
) -> Build:
    """Run ``qa build`` of ``archive`` with the code at ``code``, every line timestamped;
    the index is built in a fresh folder, moved to ``keep`` afterwards when given."""
    with tempfile.TemporaryDirectory(prefix="qa-archive-build-") as tmp:
        command = [sys.executable, "-m", "qa.cli", "build", str(archive), "--index", tmp]
        env = {**env, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1"}
        started = time.monotonic()
        proc = subprocess.Popen(
            command, cwd=code, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        lines = []
        assert proc.stderr is not None
        for text in proc.stderr:
            lines.append(Line(time.monotonic() - started, text.rstrip("\n")))
        if proc.wait() != 0:
            tail = "\n".join(line.text for line in lines[-5:])
            raise SystemExit(f"{label}: qa build failed:\n{tail}")
        build = Build(label, lines, time.monotonic() - started)
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(tmp, keep)
    for line in build.lines:
        if line.text.startswith("embedding ") and " of " in line.text.split(":")[0]:
            build.embedding_started = build.embedding_started or line.at
        elif line.text.startswith("writing the index"):
            build.embedding_ended = line.at
        elif (m := _BUILT.search(line.text)) and line.text.startswith("built "):
            build.passages, build.embedded = int(m.group(1)), int(m.group(2))
    for line in build.lines:
        m = _LEFT.search(line.text)
        if not m or build.embedding_ended is None:
            continue
        estimate = seconds_of(m.group(1))
        to_embedded = build.embedding_ended - line.at
        to_built = build.seconds - line.at
        build.estimates.append(
            {
                "at": round(line.at, 1),
                "estimate": estimate,
                "to_embedding_end": round(to_embedded, 1),
                "error": round(100 * (estimate - to_embedded) / to_embedded, 1),
                "to_build_end": round(to_built, 1),
                "error_vs_build_end": round(100 * (estimate - to_built) / to_built, 1),
                "line": line.text,
            }
        )
    return build


def archive_tokens(archive: Path) -> int:
    """Tokens the bundled model reads of the archive's passages, counted by this checkout."""
    from qa import Embedder, index_text, read_sources

    corpus = read_sources([archive])
    docs = {d.id: d for d in corpus.documents}
    texts = list(dict.fromkeys(index_text(p, docs[p.doc]) for p in corpus.passages))
    return int(sum(Embedder.load().passage_lengths(texts)))


def baseline_worktree(ref: str) -> Path:
    """A detached worktree of ``ref`` in a temporary folder (removed by the caller)."""
    folder = Path(tempfile.mkdtemp(prefix="qa-baseline-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
        check=True,
        capture_output=True,
    )
    return folder


def summary(build: Build, tokens: int) -> dict:
    stages = build.stage_seconds()
    embedding = stages["embedding"]
    errors = [abs(e["error"]) for e in build.estimates]
    return {
        "label": build.label,
        "passages": build.passages,
        "embedded": build.embedded,
        "seconds": round(build.seconds, 1),
        "stages": {k: None if v is None else round(v, 1) for k, v in stages.items()},
        "passages/s": build.passages / build.seconds,
        "tokens/s": tokens / build.seconds,
        "embedding passages/s": build.embedded / embedding if embedding else None,
        "embedding tokens/s": tokens / embedding if embedding else None,
        "estimates": len(errors),
        "worst error %": max(errors) if errors else None,
        "within 25%": sum(e <= 25 for e in errors),
    }


def print_build(build: Build, tokens: int) -> None:
    s = summary(build, tokens)
    print(f"\n== {build.label}: {build.passages:,} passages in {build.seconds:.1f} s")
    print("   " + ", ".join(f"{k} {v} s" for k, v in s["stages"].items()))
    print(
        f"   whole build {s['passages/s']:.2f} passages/s, {s['tokens/s']:,.0f} tokens/s; "
        f"embedding {s['embedding passages/s'] or 0:.2f} passages/s, "
        f"{s['embedding tokens/s'] or 0:,.0f} tokens/s"
    )
    print(f"   {'at s':>7} {'printed':>9} {'truth':>8} {'error':>8}   {'to exit':>8} {'error':>8}")
    for e in build.estimates:
        print(
            f"   {e['at']:7.1f} {e['estimate']:8.0f}s {e['to_embedding_end']:7.1f}s "
            f"{e['error']:+7.1f}%   {e['to_build_end']:7.1f}s {e['error_vs_build_end']:+7.1f}%"
        )
    if s["estimates"]:
        print(
            f"   {s['within 25%']} of {s['estimates']} estimates within ±25% of the end of "
            f"embedding; worst {s['worst error %']:.1f}%"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", type=Path, default=SHARED / "archive")
    p.add_argument("--baseline", nargs="?", const="main", default=None, metavar="REF")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--precision", choices=["fp32", "int8"], default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--lines", action="store_true", help="print every recorded line")
    p.add_argument("--keep", type=Path, help="keep this checkout's last index in this folder")
    p.add_argument("--cache-dir", type=Path, help="QA_CACHE_DIR for this checkout's builds only")
    args = p.parse_args()
    if not args.archive.is_dir():
        raise SystemExit(f"no archive at {args.archive} (set QA_SHARED or --archive)")
    tokens = archive_tokens(args.archive)
    env = dict(os.environ)
    here_env = {**env, "QA_PRECISION": args.precision} if args.precision else dict(env)
    if args.cache_dir:
        here_env["QA_CACHE_DIR"] = str(args.cache_dir)
    here_label = "this checkout" + (f" ({args.precision})" if args.precision else "")
    baseline = baseline_worktree(args.baseline) if args.baseline else None
    builds: list[Build] = []
    try:
        for _ in range(args.rounds):
            if baseline is not None:
                builds.append(
                    record(f"baseline {args.baseline}", args.archive, code=baseline, env=env)
                )
            builds.append(record(here_label, args.archive, code=ROOT, env=here_env, keep=args.keep))
    finally:
        if baseline is not None:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                check=False,
                capture_output=True,
            )
            shutil.rmtree(baseline, ignore_errors=True)
    if args.json:
        out = [
            {
                **summary(b, tokens),
                "lines": [asdict(x) for x in b.lines],
                "estimate_lines": b.estimates,
            }
            for b in builds
        ]
        print(json.dumps({"tokens": tokens, "builds": out}, indent=2, ensure_ascii=False))
        return 0
    print(f"archive {args.archive}: {tokens:,} tokens to embed; {os.cpu_count()} cores")
    for build in builds:
        if args.lines:
            print(f"\n-- {build.label}: every line")
            for line in build.lines:
                print(f"   {line.at:7.1f}  {line.text}")
        print_build(build, tokens)
    if baseline is not None:
        base = [b for b in builds if b.label.startswith("baseline")]
        here = [b for b in builds if not b.label.startswith("baseline")]
        best = lambda bs: min(bs, key=lambda b: b.seconds)  # noqa: E731
        b, h = best(base), best(here)
        sb, sh = summary(b, tokens), summary(h, tokens)
        print(f"\nthis checkout / baseline (fastest of {args.rounds} each, same run):")
        for key in ("passages/s", "embedding passages/s"):
            if sb[key] and sh[key]:
                print(f"   {key:<22} {sb[key]:8.2f} → {sh[key]:8.2f}   ×{sh[key] / sb[key]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
