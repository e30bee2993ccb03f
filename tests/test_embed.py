"""embed.js and the iframe page on another site: in Chromium, a page served from another
origin shows the status pill and the open incident's banner, read from summary.json across
origins (the status site sends the CORS header docs/deploy.md sets up)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW
from conftest_browser import browser_type_launch_args, serve  # noqa: F401 - pytest fixture
from playwright.sync_api import Browser, expect

OTHER_SITE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Acme docs</title></head>
<body><h1>Docs</h1>
<div data-heliograph-status></div>
<script src="{status}/embed.js" async></script>
<iframe src="{status}/embed/" title="Acme status" height="80"></iframe>
</body></html>
"""


@pytest.fixture(scope="module")
def origins(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The status site on one origin, with CORS; a page that embeds it on another."""
    other = tmp_path_factory.mktemp("other-site")
    with serve(example_site, cors=True) as status, serve(other) as docs:
        assert status.rsplit(":", 1)[1] != docs.rsplit(":", 1)[1]  # two origins
        (other / "index.html").write_text(OTHER_SITE.format(status=status), encoding="utf-8")
        yield docs


def test_another_site_shows_the_status_and_the_open_incident(
    browser: Browser, origins: str
) -> None:
    page = browser.new_context().new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(origins + "/")
    pill = page.locator("[data-heliograph-status] .heliograph-pill")
    expect(pill).to_have_text("! Partial System Outage")
    banner = page.get_by_role("status")
    expect(banner).to_have_text("Incident: Scheduled posts publishing late")
    link = banner.get_by_role("link")
    assert link.get_attribute("href") == (
        "https://status.acme.example/incidents/2026-11-24-scheduled-posts-delayed/"
    )
    frame = page.frame_locator("iframe")
    expect(frame.locator(".pill")).to_have_text("Partial System Outage")
    expect(frame.get_by_role("link", name="Scheduled posts publishing late")).to_have_attribute(
        "target", "_top"
    )
    assert problems == []
    page.context.close()


def test_without_cors_the_embed_shows_nothing_rather_than_a_wrong_status(
    browser: Browser, example_site: Path, tmp_path: Path
) -> None:
    with serve(example_site) as status, serve(tmp_path) as docs:
        (tmp_path / "index.html").write_text(OTHER_SITE.format(status=status), encoding="utf-8")
        page = browser.new_context().new_page()
        page.goto(docs + "/")
        page.wait_for_load_state("networkidle")
        assert page.locator(".heliograph-pill").count() == 0
        page.context.close()


def test_embed_files_are_built(example_site: Path) -> None:
    script = (example_site / "embed.js").read_text(encoding="utf-8")
    assert "api/v2/summary.json" in script and "Partial System Outage" in script
    assert EXAMPLE_NOW.isoformat() not in script  # the same script until the theme changes
