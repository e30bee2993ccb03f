"""`serve`: a real server in a subprocess, edited as an author would, read over HTTP."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG
from conftest_browser import browser_type_launch_args  # noqa: F401 - pytest fixture
from playwright.sync_api import Page

import heliograph
from heliograph.authoring.previewhttp import inject

NOW = "2026-11-24T15:10:00Z"  # conftest's EXAMPLE_NOW
OPEN = "incidents/2026-11-24-scheduled-posts-delayed"
PAGE = f"/{OPEN}/"
BOUND = 10.0  # seconds any wait may take before the test fails


class Served:
    """`heliograph serve` running in a subprocess, with its output collected line by line."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "heliograph",
                "serve",
                "--source",
                str(source),
                "--port",
                "0",
                "--now",
                NOW,
            ],
            cwd=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.readers = []
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            reader = threading.Thread(target=lambda s=stream, ls=lines: ls.extend(s), daemon=True)
            reader.start()
            self.readers.append(reader)
        line = self.wait_for(lambda: next((x for x in self.out if "Serving on" in x), None))
        self.base = re.search(r"http://127\.0\.0\.1:\d+", line).group()

    def wait_for(self, probe: Callable[[], object], what: str = "") -> object:
        """Poll `probe` until it returns something true; fail after BOUND seconds."""
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            if value := probe():
                return value
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}: {''.join(self.err)}")
            time.sleep(0.01)
        pytest.fail(
            f"waited {BOUND} s for {what or probe}; stdout: {''.join(self.out)}"
            f"stderr: {''.join(self.err)}"
        )

    def get(self, path: str) -> tuple[int, str, str]:
        """Status, content type and text of a served path."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as r:
                return r.status, r.headers["Content-Type"], r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode()

    def page(self, path: str = PAGE) -> str:
        return self.get(path)[2]

    def page_when(self, test: Callable[[str], bool], what: str, path: str = PAGE) -> str:
        """The page at `path` once `test` holds for it."""

        def probe() -> str | None:
            page = self.page(path)
            return page if test(page) else None

        return self.wait_for(probe, what)

    def builds(self) -> list[str]:
        return [x for x in self.out if x.startswith("Build #")]

    def build_line(self, number: int) -> str:
        """The terminal line of build `number`, once printed (it follows the swap by a moment)."""
        return self.wait_for(
            lambda: next((x for x in self.builds() if x.startswith(f"Build #{number} ")), None)
        )

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(BOUND)  # a loaded machine is slow, not broken
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGUSR1)  # its threads' stacks, for the failure
                time.sleep(0.5)
                self.proc.kill()
                self.proc.wait()
        for reader in self.readers:  # the last lines it printed, read to the end
            reader.join(timeout=BOUND)
        return self.proc.returncode


@pytest.fixture
def source(example_source: Path, tmp_path: Path) -> Path:
    """A private copy of the example, free to edit."""
    return Path(shutil.copytree(example_source, tmp_path / "site"))


@pytest.fixture
def served(source: Path) -> Iterator[Served]:
    server = Served(source)
    try:
        yield server
    finally:
        server.stop()


def edit(source: Path, rel: str, old: str, new: str) -> None:
    path = source / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


class EventStream:
    """A raw server-sent-events client, as a browser's EventSource would connect."""

    def __init__(self, base: str, since: int) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=BOUND)
        self.conn.request("GET", f"/__heliograph/events?since={since}")
        self.response = self.conn.getresponse()
        assert self.response.headers["Content-Type"] == "text/event-stream"

    def next_event(self) -> str:
        """The next event's name and data, skipping the retry hint and pings."""
        lines: list[str] = []
        while True:
            line = self.response.fp.readline().decode()
            if line.strip():
                lines.append(line.strip())
            elif any(x.startswith("event:") for x in lines):
                return " ".join(lines)
            else:
                lines = []

    def close(self) -> None:
        self.conn.close()


# The page's request and first paint, once painted (the text is in the DOM a moment before).
PAINT_TIMES = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return paint && [performance.timeOrigin, nav.requestStart, paint.startTime];
}"""


def generation(page: str) -> int:
    return int(re.search(r'data-generation="(\d+)"', page).group(1))


def test_an_edit_reaches_the_page_and_open_tabs_get_a_reload_event(served: Served) -> None:
    page = served.page()
    assert "oldest first" in page and "All caught up" not in page
    stream = EventStream(served.base, generation(page))
    try:
        started = time.perf_counter()
        edit(
            served.source,
            f"{OPEN}/03-identified.md",
            "oldest first.",
            "oldest first. All caught up.",
        )
        event = stream.next_event()
        served.page_when(lambda p: "All caught up" in p, "the edited page")
        elapsed = time.perf_counter() - started
    finally:
        stream.close()
    assert event == f"event: reload data: {generation(page) + 1}"
    print(  # noqa: T201 - the figure the issue asks for, shown with -s
        f"\nchange to display (save -> reload event -> new page fetched): {elapsed:.3f} s; "
        f"{served.build_line(2).strip()}"
    )
    # The issue asks for under half a second; most of it is the build itself, which a loaded
    # machine slows down, so the server's own share (debounce, events, serving) is held tight.
    build_seconds = float(re.search(r"done in ([\d.]+) s", served.build_line(2)).group(1))
    assert elapsed - build_seconds < 0.35
    assert elapsed < 1.5
    assert not (served.source / "_site").exists(), "serve must not write the user's _site"


def test_a_content_error_shows_an_overlay_over_the_last_good_site_until_fixed(
    served: Served,
) -> None:
    update = f"{OPEN}/03-identified.md"
    edit(served.source, update, "status: identified", "status: <b>fixed</b>")
    page = served.page_when(lambda p: "heliograph-errors" in p, "the error overlay")
    error = (
        f"{update}:3: 'status': expected one of investigating, identified, monitoring, "
        "resolved, got '<b>fixed</b>'"
    )
    # The overlay shows the exact terminal line, escaped, over the last good page.
    assert error.replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;") in page
    assert "<b>fixed</b>" not in page
    assert "oldest first" in page and "Scheduled posts publishing late" in page
    served.wait_for(lambda: error + "\n" in served.err, "the error in the terminal")
    assert served.build_line(2).startswith(
        f"Build #2 failed after a change to {update}: 1 problem; still serving the last good site"
    )
    assert "heliograph-errors" in served.page("/")  # every page carries it

    edit(served.source, update, "status: <b>fixed</b>", "status: monitoring")
    page = served.page_when(lambda p: "heliograph-errors" not in p, "the overlay to go")
    assert "Monitoring" in page
    assert served.build_line(3).startswith("Build #3 done in ")


def test_an_open_browser_tab_reloads_by_itself_and_shows_errors_over_the_old_page(
    served: Served, page: Page
) -> None:
    page.goto(served.base + PAGE)
    page.wait_for_function("document.readyState === 'complete'")
    figures = []
    for number, text in ((2, "Nearly there."), (3, "All caught up.")):  # a first edit, another
        saved = time.time()
        edit(served.source, f"{OPEN}/03-identified.md", "oldest first.", f"oldest first. {text}")
        page.get_by_text(text).wait_for(timeout=BOUND * 1000)
        # When the reloaded tab requested and first painted the page, from the browser's clock.
        origin, requested, painted = page.wait_for_function(PAINT_TIMES).json_value()
        build = re.search(r"done in ([\d.]+) s", served.build_line(number)).group(1)
        requested_after = origin / 1000 + requested / 1000 - saved
        figures.append(
            f"painted {origin / 1000 + painted / 1000 - saved:.3f} s after the save "
            f"(build {build} s, request at {requested_after:.3f} s)"
        )
        # The server's share (debounce, event, reload request) beyond the build itself: a
        # reload that waited for a poll or a timer would take seconds. The bound is loose on
        # purpose (a loaded machine is slow, not broken); bench/serve.py measures the latency.
        assert requested_after - float(build) < 1.5
    print("\nchange to display in Chromium: " + "; then ".join(figures))  # noqa: T201 - the figure

    edit(served.source, f"{OPEN}/03-identified.md", "status: identified", "status: <b>x</b>")
    overlay = page.locator("#heliograph-errors")
    overlay.wait_for(timeout=BOUND * 1000)
    assert overlay.is_visible()
    assert (
        f"{OPEN}/03-identified.md:3: 'status': expected one of investigating, identified, "
        "monitoring, resolved, got '<b>x</b>'"
    ) in overlay.inner_text()
    assert page.locator("#heliograph-errors b").count() == 0  # shown as text, never as markup
    assert page.get_by_text("All caught up").count() == 1  # the last good page, underneath

    edit(served.source, f"{OPEN}/03-identified.md", "status: <b>x</b>", "status: monitoring")
    overlay.wait_for(state="detached", timeout=BOUND * 1000)
    # the fixed page, once the reload that took the overlay away has painted it (read as the
    # reload begins, the page is empty)
    page.get_by_text(re.compile("Monitoring")).first.wait_for(timeout=BOUND * 1000)


def test_the_events_of_one_save_are_one_rebuild(served: Served) -> None:
    path = served.source / OPEN / "03-identified.md"
    text = path.read_text()
    for n in range(6):  # an editor's save: writes, a rename, a chmod, a few ms apart
        path.write_text(text.replace("oldest first.", f"oldest first. Save {n}."))
        time.sleep(0.003)
    served.page_when(lambda p: "Save 5." in p, "the last save")
    time.sleep(0.5)  # a second rebuild, if there were one, would have reported by now
    builds = served.builds()
    assert len(builds) == 2, builds
    assert builds[1].startswith("Build #2 done")


def test_the_config_is_read_again_on_every_rebuild(served: Served) -> None:
    edit(served.source, "components.yaml", "name: Acme", "name: Acme Corp")
    page = served.page_when(lambda p: "Acme Corp" in p, "the new site name", "/")
    assert "<title>Acme Corp Status</title>" in page


def test_a_page_that_fails_after_a_save_shows_its_problem_when_the_author_pauses(
    served: Served,
) -> None:
    """A save is served once the open tab's page is made; a page made later that fails on the
    new content keeps its last good version, and its problem shows as a failed build's."""
    templates = served.source / "theme" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "404.html").write_text(
        '{{ site.name }} lost{% if "Broken" in site.name %}{{ 1 // 0 }}{% endif %}\n'
    )
    served.build_line(2)  # the theme's build: every page made at once, all well
    assert served.get("/nowhere/")[2].startswith("Acme lost")
    edit(served.source, "components.yaml", "name: Acme", "name: Broken Acme")
    assert served.build_line(3).startswith("Build #3 done in ")  # the tab's page made well
    line = served.build_line(4)
    assert line == (
        "Build #4 failed making the pages no tab had asked for yet: 1 problem; "
        "still serving the last good site\n"
    )
    problem = "theme/templates/404.html:1: template error: ZeroDivisionError: "
    served.wait_for(lambda: any(x.startswith(problem) for x in served.err), "the problem")
    page = served.page_when(lambda p: "heliograph-errors" in p, "the error overlay")
    assert "ZeroDivisionError" in page
    assert served.get("/nowhere/")[2].startswith("Acme lost")  # the last good page


def test_a_theme_override_is_watched_even_when_theme_is_created_later(served: Served) -> None:
    shutil.rmtree(served.source / "theme", ignore_errors=True)
    time.sleep(0.3)
    static = served.source / "theme" / "static"
    static.mkdir(parents=True)
    (static / "notice.txt").write_text("Hello\n")
    served.wait_for(lambda: served.get("/static/notice.txt")[0] == 200, "the new static file")
    assert served.get("/static/notice.txt")[1:] == ("text/plain; charset=utf-8", "Hello\n")


def test_only_served_html_gets_the_reload_script(served: Served, example_site: Path) -> None:
    status, kind, page = served.get("/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert page.rstrip().endswith("</body>\n</html>")
    assert '<script src="/__heliograph/reload.js" data-generation="1" defer></script>' in page
    css = next(p for p in re.findall(r'href="(/static/[^"]+\.css)"', page))
    status, kind, text = served.get(css)
    assert status == 200 and kind.startswith("text/css") and "__heliograph" not in text
    assert served.get("/__heliograph/reload.js")[2].count("EventSource") == 1
    status, _, missing = served.get("/no/such/page/")
    assert status == 404 and "__heliograph/reload.js" in missing
    assert served.get("/history")[0] == 200  # redirected to /history/
    assert served.get("/../components.yaml")[0] == 404
    # The site built for deploy never contains the preview's script.
    for file in example_site.rglob("*"):
        assert not file.is_file() or b"__heliograph" not in file.read_bytes(), file


def raw_get(base: str, target: str, host: str | None = None) -> tuple[int, bytes]:
    """Status and body of a request sent byte for byte, as curl or a hostile page would."""
    address, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(address, int(port), timeout=BOUND)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{address}:{port}" if host is None else host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


SECRET = "heliograph-outside-the-site"
TRAVERSALS = [
    "/%2F{abs}",
    "//{abs}",
    "/%2f{abs}",
    "/..%2F..%2F{up}",
    "/%2E%2E/%2e%2e/{up}",
    "/static/%2E%2E%2F%2E%2E%2F{up}",
    "/..%5C..%5C{up}",
    "/%252E%252E/{up}",
    "/./../{up}",
    "/history/%2F{abs}",
    "/%00",
    "/x%00/../index.html",
    "/%2Fproc/self/environ",
    "/.git/config",
    "/%2E%2Fgit",
]


def test_no_request_reads_a_file_outside_the_served_site(served: Served, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET)
    up = "/".join([".."] * 16) + str(outside)
    for form in TRAVERSALS:
        target = form.format(abs=str(outside).lstrip("/"), up=up.lstrip("/"))
        status, body = raw_get(served.base, target)
        assert status in (301, 404), (target, status)
        assert SECRET.encode() not in body and b"HOME=" not in body, target
    # The site is served from memory: no file of the source, the cache or the disk is served.
    for name in ("/components.yaml", "/.heliograph-cache/cache.sqlite", "/incidents/"):
        assert raw_get(served.base, name)[0] == 404, name
    assert served.proc.poll() is None and "Traceback" not in "".join(served.err)


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil.example", ""],
)
def test_only_local_host_names_are_answered(served: Served, host: str) -> None:
    status, body = raw_get(served.base, "/", host=host)
    assert status == 403 and b"<html" not in body
    port = served.base.rsplit(":", 1)[1]
    for good in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert raw_get(served.base, "/", host=good)[0] == 200, good
    # An absolute request line naming another host is refused too.
    assert raw_get(served.base, "http://evil.example/")[0] == 403


def test_ctrl_c_stops_cleanly_and_writes_no_site(served: Served) -> None:
    assert served.get("/")[0] == 200
    assert served.stop() == 0, "".join(served.err)  # on a hang, where its threads were
    assert not (served.source / "_site").exists()  # the preview is built in memory
    assert served.out[-1] == "Stopped.\n"
    assert "Traceback" not in "".join(served.err)


def test_a_busy_port_is_one_clear_error(served: Served, source: Path) -> None:
    port = served.base.rsplit(":", 1)[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "heliograph",
            "serve",
            "--source",
            str(source),
            "--port",
            port,
            "--now",
            NOW,
        ],
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use; try another --port\n"
    )


def test_the_overlay_escapes_every_problem() -> None:
    page = b"<!DOCTYPE html><html><body><p>old</p></body></html>"
    out = inject(page, 7, ["a.md:1: got '<script>alert(1)</script>' & more"]).decode()
    assert "<script>alert(1)" not in out
    assert "a.md:1: got &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; more" in out
    assert out.index("<p>old</p>") < out.index("heliograph-errors") < out.index("</body>")
    assert 'role="alert"' in out and "1 problem;" in out
    assert "heliograph-errors" not in inject(page, 7, []).decode()


def test_a_site_broken_at_start_serves_its_errors_until_fixed(source: Path) -> None:
    edit(source, "components.yaml", "timezone: America/New_York", "timezone: Mars/Olympus")
    server = Served(source)
    try:
        status, _, page = server.get("/")
        assert status == 503 and "No good build yet" in page
        assert (
            "components.yaml:5: &#x27;timezone&#x27;: expected an IANA time zone such as "
            "UTC or Europe/Berlin, got &#x27;Mars/Olympus&#x27;"
        ) in page
        assert server.build_line(1).startswith("Build #1 failed: 1 problem; still serving")
        edit(source, "components.yaml", "timezone: Mars/Olympus", "timezone: UTC")
        page = server.page_when(lambda p: "heliograph-errors" not in p, "the fixed site", "/")
        assert 'Times are shown in <span class="zone-name">UTC</span>.' in page
    finally:
        server.stop()


def test_a_theme_template_error_points_at_the_template_line(served: Served) -> None:
    bundled = Path(heliograph.__file__).parent / "theme" / "templates" / "base.html"
    override = served.source / "theme" / "templates" / "base.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    text = bundled.read_text()
    line = text[: text.index("<main")].count("\n") + 1
    override.write_text(text.replace("<main", "{% if %}<main", 1))
    page = served.page_when(lambda p: "heliograph-errors" in p, "the template error")
    assert (
        f"theme/templates/base.html:{line}: template error: Expected an expression, got "
        "&#x27;end of "
        "statement block&#x27;"
    ) in page
    override.unlink()
    served.page_when(lambda p: "heliograph-errors" not in p, "the bundled template again")


def test_a_site_whose_url_has_a_path_is_served_under_it(make_site: Callable[..., Path]) -> None:
    source = make_site(
        config=MINIMAL_CONFIG.replace("https://status.test.example", "https://test.example/status")
    )
    server = Served(source)
    try:
        assert server.base + "/status/" in server.out[1]
        status, _, page = server.get("/")  # redirected to /status/
        assert status == 200 and 'href="/status/history/"' in page
        assert server.get("/status/history/")[0] == 200
        assert server.get("/history/")[0] == 404
    finally:
        server.stop()


def test_pages_fetched_during_rebuilds_are_always_whole(served: Served) -> None:
    results: list[tuple[int, str]] = []
    done = threading.Event()

    def fetch() -> None:
        while not done.is_set():
            status, _, page = served.get(PAGE)
            results.append((status, page))

    reader = threading.Thread(target=fetch)
    reader.start()
    try:
        for n in range(4):
            edit(
                served.source,
                f"{OPEN}/03-identified.md",
                "oldest first.",
                f"oldest first. Pass {n}.",
            )
            served.build_line(n + 2)
    finally:
        done.set()
        reader.join()
    assert len(results) > 10
    assert {status for status, _ in results} == {200}
    for _, page in results:  # each one a whole page of one build, never a half-written file
        assert page.rstrip().endswith("</html>") and page.count("<main") == 1
        assert "oldest first." in page and "heliograph-errors" not in page


def without_preview(page: bytes, generation_: int) -> bytes:
    """A served page without what the preview adds to it (its reload script)."""
    return page.replace(inject(b"</body>", generation_, ()).removesuffix(b"</body>"), b"")


def test_after_any_edits_every_served_file_is_the_cold_builds(
    served: Served, tmp_path: Path
) -> None:
    """Edits, a new incident, a deletion, a folder renamed, a theme override and the settings,
    each saved as an author would: then every file the preview serves (fetched over HTTP) is
    byte for byte the file a cold build writes."""
    from heliograph.build import Project, build

    src = served.source
    folders = sorted(p.name for p in (src / "incidents").iterdir())
    edit(src, f"{OPEN}/03-identified.md", "oldest first.", "oldest first, as before.")
    new = src / "incidents" / "2026-11-24-cdn-errors"
    new.mkdir()
    (new / "01-investigating.md").write_text(
        "---\nat: 2026-11-24T15:00:00Z\nstatus: investigating\ntitle: CDN errors\n"
        "severity: SEV-3\ncomponents:\n  cdn: degraded_performance\n---\nSome assets fail.\n"
    )
    gone = next(f for f in folders if f != OPEN.split("/")[1])
    shutil.rmtree(src / "incidents" / gone)
    moved = next(f for f in folders if f not in (gone, OPEN.split("/")[1]))
    os.rename(src / "incidents" / moved, src / "incidents" / f"{moved}-renamed")
    theme = src / "theme" / "templates"
    theme.mkdir(parents=True, exist_ok=True)
    bundled = Path(heliograph.__file__).parent / "theme" / "templates" / "base.html"
    (theme / "base.html").write_text(bundled.read_text().replace("</footer>", "Hi.</footer>"))
    edit(src, "components.yaml", "name: Acme", "name: Acme Corp")
    page = served.page_when(
        lambda p: "Hi.</footer>" in p and "Acme Corp" in p and "CDN errors" in p, "every edit", "/"
    )
    time.sleep(0.3)  # any rebuild still owed has started by now
    served.page_when(lambda p: generation(p) == generation(served.get("/")[2]), "quiet", "/")
    want = tmp_path / "cold"
    build(Project.at(src, want), datetime.fromisoformat(NOW), use_cache=False)
    gen = generation(served.get("/")[2])
    for file in sorted(want.rglob("*")):
        if file.is_file():
            rel = file.relative_to(want).as_posix()
            with urllib.request.urlopen(f"{served.base}/{rel}", timeout=5) as r:
                assert without_preview(r.read(), gen) == file.read_bytes(), rel
    assert page


def test_the_check_findings_show_in_the_console_and_in_a_panel_on_the_page(served: Served) -> None:
    assert '<details id="heliograph-findings"' not in served.page()  # the example is clean
    edit(served.source, f"{OPEN}/03-identified.md", "oldest first.", "oldest first. Human error.")
    blame = '03-identified.md:7: warning: "Human error": blame on people'
    served.wait_for(lambda: any(blame in line for line in served.out), "findings on the console")
    page = served.page_when(  # the new build's findings join its page as it is swapped in
        lambda p: "&quot;Human error&quot;: blame on people" in p, "the new finding"
    )
    panel = page.split('<details id="heliograph-findings" role="status">')[1].split("</details>")[0]
    assert "Checks: " in panel
    built = (served.source / "_site").exists()
    assert not built  # the panel is the preview's: nothing is written to the user's site
