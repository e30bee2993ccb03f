"""The preview's HTTP side: files of the last good build, the reload script, the error overlay.

HTML responses get the reload script (and, after a failed build, the overlay) as they are
served; the files on disk, like the site built for deploy, never contain them.
"""

from __future__ import annotations

import html
import mimetypes
import sys
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from heliograph.authoring.serve import LiveServer

PREFIX = "/__heliograph/"
PING = 15.0  # an idle event stream sends a comment this often to notice closed tabs
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".svg": "image/svg+xml",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

RELOAD_JS = b"""\
(() => {
  const since = document.currentScript.dataset.generation;
  const events = new EventSource("/__heliograph/events?since=" + since);
  events.addEventListener("reload", () => location.reload());
})();
"""
OVERLAY_CSS = b"""\
#heliograph-errors { position: fixed; inset: 1rem 1rem auto 1rem; z-index: 2147483647;
  max-height: 80vh; overflow: auto; padding: 1rem 1.25rem; border-radius: 6px;
  background: #2b0d0d; color: #fff; border: 2px solid #ff6b6b;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  box-shadow: 0 8px 24px rgba(0, 0, 0, .4); }
#heliograph-errors h2 { margin: 0 0 .5rem; font-size: 1rem; color: #ffb3b3; }
#heliograph-errors pre { margin: 0; white-space: pre-wrap; }
#heliograph-findings { position: fixed; inset: auto 1rem 1rem auto; z-index: 2147483646;
  max-width: min(48rem, calc(100vw - 2rem)); max-height: 40vh; overflow: auto;
  padding: .5rem 1rem; border-radius: 6px; background: #2b230d; color: #fff;
  border: 2px solid #ffc94d; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
#heliograph-findings summary { cursor: pointer; color: #ffe3a3; }
#heliograph-findings pre { margin: .5rem 0 0; white-space: pre-wrap; }
"""
# Only these names may reach the preview: a page on another site that rebinds its own name to
# 127.0.0.1 (DNS rebinding) sends its own Host header and is refused.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
FAILED_PAGE = (
    b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Page failed</title>"
    b"</head><body><h1>This page could not be rendered</h1></body></html>"
)
NO_SITE = (
    b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>No build yet</title>"
    b"</head><body><h1>No good build yet</h1></body></html>"
)


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; a tab closed mid-response is normal, not an error to print."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    server_version = "heliograph-serve"
    protocol_version = "HTTP/1.1"

    @property
    def live(self) -> LiveServer:
        return self.server.live  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not every request."""

    def do_HEAD(self) -> None:
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        url = urlsplit(self.path)
        if not local_host(self.headers.get("Host", "")) or (
            url.netloc and not local_host(url.netloc)
        ):
            return self._send(
                403, ".txt", b"The preview answers only to 127.0.0.1 and localhost.\n", body
            )
        path = unquote(url.path)
        if path == PREFIX + "events" and body:  # a HEAD request gets no endless stream
            since = parse_qs(url.query).get("since", [""])[0]
            return self._events(int(since) if since.isdigit() else self.live.generation)
        if path == PREFIX + "reload.js":
            return self._send(200, ".js", RELOAD_JS, body)
        if path == PREFIX + "overlay.css":
            return self._send(200, ".css", OVERLAY_CSS, body)
        mount = self.live.mount
        if not path.startswith(mount):
            if path in ("", "/") or path + "/" == mount:
                return self._redirect(mount)
            return self._not_found(body)
        rel = path[len(mount) :]
        generation, problems = self.live.state()
        findings = self.live.findings()
        files = self.live.files()  # one build's files, however long this request takes
        if files is None:
            return self._send(503, ".html", inject(NO_SITE, generation, problems), body)
        key = output_path(rel)
        if key is None:
            return self._not_found(body, files)
        index = f"{key}/index.html" if key else "index.html"
        # a folder's URL names its page: looked up first, it is found without making the
        # parts of the site the page is not in (see authoring.parts)
        if (not key or rel.endswith("/")) and index in files:
            key = index
        elif key not in files and (index in files or not key):
            if key:
                return self._redirect(path + "/")
            key = index
        if key not in files:
            return self._not_found(body, files)
        try:
            data = bytes(files[key])  # a page rendered when first asked for may fail now
        except Exception as exc:  # noqa: BLE001 - the author sees it, as any build problem
            problem = f"{key}: {type(exc).__name__}: {exc}"
            page = inject(FAILED_PAGE, generation, (*problems, problem))
            return self._send(500, ".html", page, body)
        suffix = key[key.rfind(".") :] if "." in key.rsplit("/", 1)[-1] else ""
        if suffix == ".html":
            data = inject(data, generation, problems, findings)
        self._send(200, suffix, data, body)

    def _not_found(self, body: bool, files: Mapping[str, Any] | None = None) -> None:
        generation, problems = self.live.state()
        files = self.live.files() if files is None else files
        page = files.get("404.html") if files else None
        data = bytes(page) if page is not None else b"<!DOCTYPE html><title>Not found</title>"
        self._send(404, ".html", inject(data, generation, problems), body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, suffix: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        kind = TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0]
        self.send_header("Content-Type", kind or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview is always the latest build
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, seen: int) -> None:
        """Server-sent events: `reload` whenever a build (good or bad) finishes."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not self.live.stopping:
                current = self.live.wait_for_change(seen, PING)
                if self.live.stopping:
                    return
                message = f"event: reload\ndata: {current}\n\n" if current != seen else ": ping\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = current
        except (BrokenPipeError, ConnectionResetError):
            return  # the tab closed or reloaded


def local_host(host: str) -> bool:
    """Whether a Host header (or an absolute request's authority) names this machine."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[: name.find("]") + 1]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return name in LOCAL_HOSTS


def output_path(rel: str) -> str | None:
    """The output path `rel` (a decoded URL path) names, or None if it names none.

    The preview serves the build's files from memory, so no request reaches the disk at all;
    still, decoding comes first, so `%2F`, `%2e%2e` and `%00` are judged as what they become:
    every segment must be a plain name (no `..`, no hidden name, no backslash or NUL).
    """
    parts = [p for p in rel.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    return "/".join(parts)


def inject(
    page: bytes, generation: int, problems: Sequence[str], findings: Sequence[str] = ()
) -> bytes:
    """The page with the reload script, the check findings of the last good build in a panel
    beside it, and, if the last build failed, the error overlay."""
    tags = (
        f'<link rel="stylesheet" href="{PREFIX}overlay.css">'
        f'<script src="{PREFIX}reload.js" data-generation="{generation}" defer></script>'
    )
    if problems:
        count = len(problems)
        lines = "\n".join(html.escape(p) for p in problems)
        tags += (
            f'<div id="heliograph-errors" role="alert"><h2>Build failed with {count} '
            f"problem{'s' if count != 1 else ''}; showing the last good site</h2>"
            f"<pre>{lines}</pre></div>"
        )
    if findings:
        count = len(findings)
        lines = "\n".join(html.escape(f) for f in findings)
        tags += (
            f'<details id="heliograph-findings" role="status"><summary>Checks: {count} '
            f"finding{'s' if count != 1 else ''} (the SOPs' rules)</summary>"
            f"<pre>{lines}</pre></details>"
        )
    at = page.lower().rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + tags.encode() + page[at:]
