"""The built example site, read back as a visitor reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from conftest import update
from htmlread import cls, page, texts

from heliograph.build import Project, build
from heliograph.render import pages

OPEN = "incidents/2026-11-24-scheduled-posts-delayed/index.html"
POOL = "incidents/2025-08-11-database-connection-pool-exhausted/index.html"
ESCALATED = "incidents/2025-12-09-api-and-dashboard-outage/index.html"


def test_every_page_kind_is_written(example_site: Path):
    for rel in (
        "index.html",
        "404.html",
        "history/index.html",
        "history/2025-08/index.html",
        "components/scheduler/index.html",
        OPEN,
        POOL,
    ):
        assert (example_site / rel).is_file(), rel
    assert len(list(example_site.glob("incidents/*/index.html"))) == 13
    assert len(list(example_site.glob("components/*/index.html"))) == 12


def test_home_shows_banner_open_incident_and_components(example_site: Path):
    home = page(example_site, "index.html")
    assert texts(home, "//h1") == ["Partial System Outage"]
    assert texts(home, f"//*[{cls('card')} and {cls('open')}]//h3") == [
        "Scheduled posts publishing late"
    ]
    latest = texts(home, f"//*[{cls('latest')}]")[0]
    assert "The workers are running again" in latest
    assert "Next update expected by 11:05 (EST)" in latest
    rows = {
        texts(li, f".//a[{cls('name')}]")[0]: texts(li, f".//span[{cls('pill')}]")[0]
        for li in home.xpath(f"//li[{cls('component')}]")
    }
    assert rows["Post scheduler"] == "Degraded performance"
    assert rows["Public API"] == "Operational" and len(rows) == 12
    groups = texts(home, f"//li[{cls('group')}]/details/summary/span[{cls('name')}]")
    assert groups == ["Dashboard", "Publishing", "Infrastructure"]
    assert texts(home, "//section[@aria-labelledby='upcoming-h']//h3") == ["CDN provider migration"]


def test_home_lists_the_last_fourteen_days(example_site: Path):
    home = page(example_site, "index.html")
    days = texts(home, f"//div[{cls('day')}]/h3")
    assert len(days) == 14 and days[0] == "24 November 2026" and days[-1] == "11 November 2026"
    assert "Search results out of date" in " ".join(texts(home, f"//div[{cls('day')}]"))


def test_incident_page_shows_updates_newest_first(example_site: Path):
    doc = page(example_site, POOL)
    assert texts(doc, "//h1") == ["Database connection pool exhausted during traffic spike"]
    statuses = texts(doc, f"//li[{cls('update')}]/h3")
    assert statuses == [
        "Resolved",
        "Monitoring",
        "Monitoring",
        "Identified",
        "Identified",
        "Identified",
        "Investigating",
    ]
    times = [t.get("datetime") for t in doc.xpath(f"//li[{cls('update')}]//time")]
    assert times == sorted(times, reverse=True) and times[-1] == "2025-08-11T14:00:30Z"
    facts = dict(zip(texts(doc, "//dl//dt"), texts(doc, "//dl//dd"), strict=True))
    assert facts["Duration"] == "47 min"
    assert facts["Started"] == "11 Aug 2025, 09:58 EDT"
    assert facts["Affected"] == "Public API, Web app, Primary database"


def test_escalated_incident_shows_its_current_severity_and_postmortem(example_site: Path):
    doc = page(example_site, ESCALATED)
    assert "SEV-1 · Critical" in texts(doc, f"//p[{cls('meta')}]")[0]
    assert texts(doc, "//section[@aria-labelledby='pm-h']//h2") == ["Postmortem"]
    assert texts(doc, "//section[@aria-labelledby='pm-h']//h3") == [
        "Summary",
        "Root cause",
        "Action items",
    ]


def test_times_are_shown_in_the_site_zone_with_machine_readable_values(example_site: Path):
    doc = page(example_site, OPEN)
    first = doc.xpath(f"//li[{cls('update')}][last()]//time")[0]
    assert first.get("datetime") == "2026-11-24T14:28:00Z"
    assert first.text_content() == "24 Nov 2026, 09:28 EST"
    assert "Times are shown in America/New_York." in texts(doc, "//footer")[0]


def test_history_archive_is_grouped_by_month(example_site: Path):
    doc = page(example_site, "history/index.html")
    months = texts(doc, "//section//h2")
    assert months[0] == "November 2026" and months[-1] == "January 2025"
    assert "December 2026" not in months  # upcoming maintenance is not history yet
    month = page(example_site, "history/2025-10/index.html")
    assert texts(month, "//section[@aria-labelledby='maint-h']//h3") == ["Primary database upgrade"]


def test_component_page_lists_its_incidents(example_site: Path):
    doc = page(example_site, "components/api/index.html")
    assert texts(doc, "//h1") == ["Public API"]
    titles = texts(doc, f"//article[{cls('incident')}]//h3")
    assert "Database connection pool exhausted during traffic spike" in titles
    assert "Slow media uploads" not in titles


def test_links_are_root_relative_and_assets_fingerprinted(example_site: Path):
    home = page(example_site, "index.html")
    css = home.xpath("//link[@rel='stylesheet']/@href")[0]
    assert css.startswith("/static/style.") and (example_site / css[1:]).is_file()
    assert home.xpath("//link[@rel='canonical']/@href") == ["https://status.acme.example/"]
    for href in home.xpath("//a/@href"):
        if href.startswith("/"):
            target = example_site / href[1:]
            assert (target / "index.html").is_file() or target.is_file(), href


def test_not_found_page(example_site: Path):
    doc = page(example_site, "404.html")
    assert texts(doc, "//h1") == ["Page not found"]


def test_component_page_lists_its_most_recent_incidents_and_points_to_history(
    make_site, monkeypatch
):
    monkeypatch.setattr(pages, "COMPONENT_RECENT", 2)
    files = {
        f"incidents/2026-01-0{d}-outage-{d}/01-resolved.md": update(
            f"2026-01-0{d}T10:00:00Z",
            "resolved",
            title=f"Outage {d}",
            severity="SEV-3",
            components={"api": "partial_outage"},
        )
        for d in range(1, 5)
    }
    site = make_site(files)
    build(Project.at(site), datetime(2026, 2, 1, tzinfo=UTC))
    doc = page(site / "_site", "components/api/index.html")
    assert texts(doc, f"//article[{cls('incident')}]//h3") == ["Outage 4", "Outage 3"]
    assert doc.xpath("//section[@aria-labelledby='hist-h']//p/a/@href") == ["/history/"]
    web = page(site / "_site", "components/web/index.html")
    assert texts(web, "//section[@aria-labelledby='hist-h']//p") == ["No incidents reported."]
    history = page(site / "_site", "history/index.html")
    assert texts(history, f"//section[{cls('month')}]/p") == ["4 incidents"]
    month = page(site / "_site", "history/2026-01/index.html")
    assert len(texts(month, f"//article[{cls('incident')}]//h3")) == 4


def test_a_view_made_on_first_read_reads_and_prints_as_the_view(example_source: Path):
    """Templates are given each incident's view as it is first read (views.LazyView): it
    reads, compares and prints as the view itself, so a theme that prints one for debugging
    shows the view, and a copy of one is no trouble."""
    import copy

    from conftest import EXAMPLE_NOW

    from heliograph.build import load_content
    from heliograph.state import views

    content = load_content(Project.at(example_source), EXAMPLE_NOW)
    incident = content.incidents[0]
    made = views.incident_view(content, incident, EXAMPLE_NOW)
    lazy = views.Viewer(content, EXAMPLE_NOW).shown({"i": incident})["i"]
    assert (lazy.title, lazy.status_label, lazy.updates) == (
        made.title,
        made.status_label,
        made.updates,
    )
    assert str(lazy) == repr(made) and "object at 0x" not in str(lazy)
    twin = views.Viewer(content, EXAMPLE_NOW).shown(incident)
    assert twin == lazy and hash(twin) == hash(lazy) and copy.copy(lazy) == lazy
