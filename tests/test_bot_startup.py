"""``qa-bot`` fails to start in one line that says what to fix (issue #25), read as a
specification:

* the token is checked with Telegram (``getMe``) before the model loads, so a refused token,
  a Bot API server that cannot be reached — its name does not resolve, nothing listens, it
  does not answer in time — or a server that is not a Bot API are said within seconds;
* a webhook port that is taken is named with the settings that chose it, also before the
  model loads;
* nothing else reaches stderr: no library tracebacks, no loader chatter, no retries, never
  the token.

Each case runs the real ``qa-bot`` command as a separate process; the servers it meets are
real sockets on 127.0.0.1 (the local Bot API stand-in of ``tests/auxil/bot_api.py`` where a
Bot API is needed).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.test_bot import TOKEN, api
except ModuleNotFoundError:
    from test_bot import TOKEN, api

pytestmark = pytest.mark.slow  # starts qa-bot as a command

__all__ = ["api"]  # the stand-in fixture, shared with tests/test_bot.py


def run_bot(
    env: dict[str, str], *, timeout: float = 300
) -> tuple[subprocess.CompletedProcess, float]:
    """``qa-bot`` with ``env`` over this environment: its result and how long it ran."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "QA_BOT_RATE_LIMIT": "off", **env},
        timeout=timeout,
    )
    return done, time.monotonic() - started


def the_one_line(done: subprocess.CompletedProcess) -> str:
    """The whole of stderr, which must be one line (the bot exits 1)."""
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert TOKEN not in done.stderr and TOKEN.split(":")[1] not in done.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def not_a_bot_api() -> Iterator[str]:
    """An HTTP server that answers every request with a 404 page (a proxy, another site)."""
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>Not Found</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_name_that_does_not_resolve_is_said_before_the_model_loads():
    """``.invalid`` never resolves (RFC 2606): what a machine without network meets."""
    done, seconds = run_bot({"TELEGRAM_API_URL": "http://api.telegram.invalid"})
    assert the_one_line(done) == (
        "qa-bot: cannot reach the Bot API server at http://api.telegram.invalid "
        "(TELEGRAM_API_URL): the name does not resolve (is this machine online? is DNS working?)"
    )
    assert seconds < 15  # the model (an 18 s load) was never loaded


def test_a_server_where_nothing_listens_is_said_in_one_line():
    url = f"http://127.0.0.1:{free_port()}"
    done, _ = run_bot({"TELEGRAM_API_URL": url})
    assert the_one_line(done) == (
        f"qa-bot: cannot reach the Bot API server at {url} (TELEGRAM_API_URL): the connection "
        "was refused (nothing listens there)"
    )


def test_a_server_that_never_answers_times_out_in_one_line(silent_server):
    url = f"http://127.0.0.1:{silent_server}"
    done, seconds = run_bot({"TELEGRAM_API_URL": url})
    assert the_one_line(done) == (
        f"qa-bot: cannot reach the Bot API server at {url} (TELEGRAM_API_URL): no answer in "
        "time (is this machine online? a firewall?)"
    )
    assert seconds < 20  # one 5 s timeout, no retries


def test_a_server_that_is_not_a_bot_api_is_not_called_a_refused_token(not_a_bot_api):
    done, _ = run_bot({"TELEGRAM_API_URL": not_a_bot_api})
    line = the_one_line(done)
    assert line == (
        f"qa-bot: the Bot API server at {not_a_bot_api} (TELEGRAM_API_URL) did not answer like "
        "a Telegram Bot API server (Not Found (404)); check "
        "TELEGRAM_API_URL, or the network's proxy"
    )


def test_a_refused_token_is_said_before_the_model_loads(api, tmp_path):
    wrong = "111111:" + "W" * 35
    done, seconds = run_bot(
        {
            "TELEGRAM_BOT_TOKEN": wrong,
            "TELEGRAM_API_URL": api.url,
            "QA_INDEX": str(tmp_path / "never-built"),
        }
    )
    assert done.stderr.strip() == (
        "qa-bot: Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    )
    assert wrong.split(":")[1] not in done.stderr
    assert not (tmp_path / "never-built").exists()  # nothing was built, nothing was loaded
    assert seconds < 15


def test_a_webhook_port_in_use_is_named_with_its_settings_before_the_model_loads(api, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done, seconds = run_bot(
            {
                "TELEGRAM_API_URL": api.url,
                "QA_INDEX": str(tmp_path / "never-built"),
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook",
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
            }
        )
    assert the_one_line(done) == (
        f"qa-bot: cannot listen on 127.0.0.1:{port} (TELEGRAM_WEBHOOK_LISTEN, "
        "TELEGRAM_WEBHOOK_PORT): the port is in use (another program listens on it; choose "
        "another port)"
    )
    assert seconds < 15 and not (tmp_path / "never-built").exists()


def test_a_port_taken_after_the_check_is_said_the_same_way(api):
    """The webhook server's own bind failing (the port was taken between the check and the
    start): the same line, from the error the server raises."""
    from bot.app import startup_error
    from bot.settings import BotSettings

    with socket.socket() as taken, socket.socket() as server:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as caught:
            server.bind(("127.0.0.1", port))
    settings = BotSettings(token=TOKEN, webhook_listen="127.0.0.1", webhook_port=port)
    assert startup_error(caught.value, settings) == (
        f"cannot listen on 127.0.0.1:{port} (TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT): "
        "the port is in use (another program listens on it; choose another port)"
    )
