"""``qa serve`` as a user runs it: its own process, bound to 127.0.0.1 unless told otherwise,
503 until the index is loaded, then answering; Ctrl-C stops it; an index it cannot load is
one line and exit code 1."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.auxil.cli import ROOT, run_qa

pytestmark = pytest.mark.slow  # starts qa serve as a command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_qa_serve_binds_this_machine_answers_once_loaded_and_stops_on_ctrl_c(report_index):
    port = free_port()
    env = {**os.environ, "QA_FEEDBACK": "off", "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qa.cli",
            "serve",
            "--index",
            str(report_index),
            "--port",
            str(port),
            "--no-warm-up",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    statuses = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            # Not listening yet, or busy loading on a shared machine: ask again.
            with contextlib.suppress(httpx.ConnectError, httpx.TimeoutException):
                statuses.append(httpx.get(f"{url}/api/health", timeout=30).status_code)
            if statuses and statuses[-1] == 200:
                break
            time.sleep(0.1)
        assert statuses[-1] == 200 and set(statuses) <= {200, 503}
        answer = httpx.post(
            f"{url}/api/ask", json={"question": "全省發放了多少低保金？"}, timeout=60
        )
        assert "58.68億元" in answer.text
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=300)[0]
    assert server.returncode == 130, output  # interrupted, as every qa command says
    assert f"Uvicorn running on http://127.0.0.1:{port}" in output
    assert "ready in" in output


def test_an_index_it_cannot_load_is_one_line_and_exit_1(tmp_path):
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("a file, not an index folder")
    done = run_qa(
        "serve",
        "--index",
        str(not_a_folder),
        "--port",
        str(free_port()),
        env={"QA_FEEDBACK": "off"},
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "cannot load the index" in line]
    assert len(errors) == 1 and str(not_a_folder) in errors[0]


def test_a_bad_setting_is_one_line_and_exit_1(tmp_path):
    done = run_qa(
        "serve", "--index", str(tmp_path), env={"QA_WEB_RATE_LIMIT": "many", "QA_FEEDBACK": "off"}
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: QA_WEB_RATE_LIMIT: 'many' is not N/SECONDS (e.g. 30/60) or 'off'"
    )
