"""Real-client helpers: Debian's Chromium for pytest-playwright and a loopback web server.

Import the fixture into a test module that drives the browser:
`from conftest_browser import browser_type_launch_args  # noqa: F401`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch the machine's Chromium; `playwright install` cannot download one here."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


class _CorsHandler(_QuietHandler):
    """Allows every origin to read what it serves, as docs/deploy.md sets up S3 to do."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


@contextmanager
def serve(directory: Path, cors: bool = False) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 as a static host would (with `cors`, readable by other
    origins); yields the base URL."""
    handler = functools.partial(_CorsHandler if cors else _QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as output paths (`incidents/x/index.html`)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_url(path: str) -> str:
    """The URL path a visitor uses for an output path: `x/index.html` is `/x/`."""
    return "/" + path.removesuffix("index.html")
