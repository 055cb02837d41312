"""``qa serve``'s app served for real on 127.0.0.1 (uvicorn in a thread, on a free port), for
the browser tests and the load benchmark; and headless Chromium driven by Selenium."""

from __future__ import annotations

import asyncio
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from web.app import create_app
from web.state import ServerState

#: Flags that let Debian's Chromium run headless as root in a container, offline.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver",)


class LiveServer:
    """The app over ``state``, served by uvicorn on 127.0.0.1 in a thread until ``stop``."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(create_app(state), log_level="warning", proxy_headers=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chromium_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) when both are installed (Debian's packages), else ``None``."""
    browser = next((p for p in CHROMIUM if Path(p).exists()), shutil.which("chromium"))
    driver = next((p for p in CHROMEDRIVER if Path(p).exists()), shutil.which("chromedriver"))
    return (browser, driver) if browser and driver else None


@contextmanager
def chromium(width: int = 1024, height: int = 900, *, language: str = "en-US") -> Iterator[object]:
    """Headless Chromium under Selenium, in a fresh profile, the window ``width`` × ``height``
    CSS pixels, the browser's language ``language`` (its ``Accept-Language``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    if paths is None:
        raise RuntimeError("chromium and chromium-driver are not installed (apt-get install)")
    profile = tempfile.mkdtemp(prefix="qa-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.add_argument(f"--lang={language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    # The installed driver is named, so Selenium Manager never looks for one online.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    try:
        driver.set_page_load_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
