"""`sitemap.xml` and `robots.txt`: every page once, by its absolute URL from `site.url`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from conftest import MINIMAL_CONFIG, update

from heliograph.build import Project, build

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
URL = "https://status.acme.example"


def entries(site: Path) -> dict[str, str]:
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert root.tag == f"{SM}urlset"
    return {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.iter(f"{SM}url")}


def pages(site: Path, base: str) -> set[str]:
    """The URL a visitor uses for each built HTML page (not the 404 page nor the embed, which
    is the iframe other sites show)."""
    return {
        base + "/" + str(p.relative_to(site)).removesuffix("index.html")
        for p in site.rglob("*.html")
        if p.name != "404.html" and p.parent.name != "embed"
    }


def test_sitemap_lists_every_page_but_404_and_the_embed(example_site: Path):
    found = entries(example_site)
    assert set(found) == pages(example_site, URL)
    assert f"{URL}/" in found and f"{URL}/history/2025-08/" in found
    assert not any("404" in loc for loc in found)


def test_lastmod_is_the_pages_latest_change(example_site: Path):
    found = entries(example_site)
    # The postmortem, two days after the last update, is the latest change.
    assert (
        found[f"{URL}/incidents/2025-08-11-database-connection-pool-exhausted/"]
        == "2025-08-13T10:00:00Z"
    )
    assert found[f"{URL}/incidents/2025-12-09-api-and-dashboard-outage/"] == "2025-12-11T17:00:00Z"
    assert found[f"{URL}/components/scheduler/"] == "2026-11-24T15:05:00Z"
    assert found[f"{URL}/"] == "2026-11-24T15:05:00Z"


def test_each_month_of_the_archive_changes_with_its_own_incidents(example_site: Path):
    found = entries(example_site)
    months = {loc: t for loc, t in found.items() if "/history/20" in loc}
    assert len(months) == 11 and len(set(months.values())) == 11  # no two alike
    assert months[f"{URL}/history/2025-08/"] == "2025-08-13T10:00:00Z"  # its postmortem
    assert months[f"{URL}/history/2025-12/"] == "2025-12-11T17:00:00Z"
    assert months[f"{URL}/history/2026-11/"] == "2026-11-24T15:05:00Z"
    assert found[f"{URL}/history/"] == "2026-11-24T15:05:00Z"  # its newest month


def test_robots_txt_points_at_the_sitemap(example_site: Path):
    robots = (example_site / "robots.txt").read_text(encoding="utf-8")
    assert robots.splitlines()[0] == "User-agent: *"
    assert f"Sitemap: {URL}/sitemap.xml" in robots.splitlines()


def test_a_site_under_a_path_keeps_its_prefix(make_site):
    config = MINIMAL_CONFIG.replace("https://status.test.example", "https://example.org/status")
    files = {
        "incidents/2026-02-01-x/01.md": update(
            "2026-02-01T10:00:00Z",
            "resolved",
            title="X",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    }
    source = make_site(files, config=config)
    out = source.parent / "_site"
    build(Project.at(source, out), datetime(2026, 3, 1, tzinfo=UTC))
    found = entries(out)
    assert set(found) == pages(out, "https://example.org/status")
    assert found["https://example.org/status/incidents/2026-02-01-x/"] == "2026-02-01T10:00:00Z"
    assert "Sitemap: https://example.org/status/sitemap.xml" in (out / "robots.txt").read_text()


def test_a_component_page_changes_with_its_own_newest_incident(make_site):
    # Newer incidents on the API do not hide the sign-in incident's late postmortem.
    files = {
        f"incidents/2026-01-0{n}-api/01.md": update(
            f"2026-01-0{n}T10:00:00Z",
            "resolved",
            title=f"API {n}",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
        for n in range(1, 4)
    } | {
        "incidents/2025-12-01-login/01.md": update(
            "2025-12-01T10:00:00Z",
            "resolved",
            title="Sign-in down",
            severity="SEV-3",
            components={"login": "major_outage"},
        ),
        "incidents/2025-12-01-login/postmortem.md": "---\nat: 2026-01-02T09:00:00Z\n---\nWhy.\n",
    }
    source = make_site(files)
    out = source.parent / "_site"
    build(Project.at(source, out), datetime(2026, 3, 1, tzinfo=UTC))
    found = entries(out)
    base = "https://status.test.example"
    assert found[f"{base}/components/login/"] == "2026-01-02T09:00:00Z"
    assert found[f"{base}/components/api/"] == "2026-01-03T10:00:00Z"
    assert found[f"{base}/incidents/2025-12-01-login/"] == "2026-01-02T09:00:00Z"
    assert found[f"{base}/components/web/"] == "2026-01-03T10:00:00Z"  # no incident: the newest
