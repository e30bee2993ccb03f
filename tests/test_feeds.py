"""Atom and RSS feeds, read back with feedparser and compared with the model."""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from builds import build_at, resolved_incidents
from conftest import EXAMPLE_NOW, MINIMAL_CONFIG, update
from htmlread import page, texts

from heliograph.build import Project, build, load_content
from heliograph.render.markup import render_markdown
from heliograph.state.views import status_label

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = {"history.atom": "atom10", "history.rss": "rss20"}
URL = "https://status.acme.example"


def read(site: Path, rel: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse((site / rel).read_bytes())
    assert feed.bozo == 0, (rel, feed.get("bozo_exception"))
    return feed


def stamp(t: datetime) -> tuple[int, ...]:
    return tuple(t.astimezone(UTC).timetuple())[:6]


def model(example_source: Path, component: str | None = None):
    """The example's incidents as the feeds should list them: newest activity first."""
    content = load_content(Project.at(example_source), EXAMPLE_NOW)
    found = [i for i in content.incidents if component is None or component in i.component_ids]
    return sorted(found, key=lambda i: (i.last.at, i.slug), reverse=True)


@pytest.mark.parametrize("rel, version", FEEDS.items())
def test_site_feeds_list_every_incident_newest_activity_first(
    example_site, example_source, rel, version
):
    feed = read(example_site, rel)
    assert feed.version == version
    incidents = model(example_source)
    assert len(feed.entries) == len(incidents) == 13
    assert [e.title for e in feed.entries] == [i.title for i in incidents]
    links = [f"{URL}/incidents/{i.slug}/" for i in incidents]
    assert [e.link for e in feed.entries] == links
    assert [e.id for e in feed.entries] == links  # permanent: the incident page
    assert feed.feed.title == "Acme Status" and feed.feed.link == f"{URL}/"
    if version == "atom10":  # RFC 4287: entries without authors need a feed author
        assert feed.feed.author == "Acme"
    # Pinned to the newest update in the content, not the clock.
    assert feed.feed.updated_parsed[:6] == stamp(incidents[0].last.at)


def test_atom_entry_dates_are_first_and_latest_update(example_site, example_source):
    feed = read(example_site, "history.atom")
    for entry, incident in zip(feed.entries, model(example_source), strict=True):
        assert entry.updated_parsed[:6] == stamp(incident.last.at)
        assert entry.published_parsed[:6] == stamp(incident.first.at)
    rss = read(example_site, "history.rss")
    for entry, incident in zip(rss.entries, model(example_source), strict=True):
        assert entry.published_parsed[:6] == stamp(incident.first.at)


@pytest.mark.parametrize("rel", FEEDS)
def test_entry_content_is_the_timeline_newest_first(example_site, example_source, rel):
    feed = read(example_site, rel)
    pool = next(e for e in feed.entries if e.title.startswith("Database connection pool"))
    incident = next(i for i in model(example_source) if i.slug in pool.link)
    html = pool.content[0].value
    shown = re.findall(r'<strong>([^<]+)</strong> · <time datetime="([^"]+)">', html)
    assert shown == [
        (status_label(u.status), f"{u.at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")
        for u in reversed(incident.updates)
    ]
    assert "11 Aug 2025, 10:45 EDT" in html  # people's times are in the site's zone
    for u in incident.updates:
        assert render_markdown(u.body) in html
    assert pool.summary.startswith("Resolved: ")


def test_component_feeds_hold_only_their_incidents(example_site, example_source):
    for cid in ("database", "scheduler", "cdn"):
        for rel in (f"components/{cid}/history.atom", f"components/{cid}/history.rss"):
            feed = read(example_site, rel)
            assert [e.title for e in feed.entries] == [
                i.title for i in model(example_source, cid)
            ], rel
            assert feed.feed.link == f"{URL}/components/{cid}/"
    assert len(read(example_site, "components/database/history.atom").entries) == 2


def test_each_feed_names_itself(example_site):
    for rel in ("history.atom", "history.rss", "components/api/history.rss"):
        root = ET.fromstring((example_site / rel).read_bytes())
        selves = [el.get("href") for el in root.iter(f"{ATOM}link") if el.get("rel") == "self"]
        assert selves == [f"{URL}/{rel}"]


def test_pages_link_their_feeds(example_site):
    for rel in (
        "index.html",
        "history/index.html",
        "incidents/2025-10-02-database-upgrade/index.html",
        "components/cdn/index.html",
    ):
        links = {
            (el.get("type"), el.get("href"))
            for el in page(example_site, rel).xpath("//head/link[@rel='alternate']")
        }
        assert {
            ("application/atom+xml", "/history.atom"),
            ("application/rss+xml", "/history.rss"),
        } <= links, rel
    links = {
        el.get("href")
        for el in page(example_site, "components/cdn/index.html").xpath(
            "//head/link[@rel='alternate']"
        )
    }
    assert {"/components/cdn/history.atom", "/components/cdn/history.rss"} <= links
    home = {
        el.get("href")
        for el in page(example_site, "index.html").xpath("//head/link[@rel='alternate']")
    }
    assert not any(h.startswith("/components/") for h in home)


def test_feed_entries_setting_limits_the_entries(make_site):
    config = MINIMAL_CONFIG.replace("timezone: UTC", "timezone: UTC\n  feed_entries: 2")
    site = build_at(
        make_site(resolved_incidents(4), config=config), datetime(2026, 2, 1, tzinfo=UTC)
    )
    for rel in ("history.atom", "history.rss", "components/api/history.atom"):
        assert [e.title for e in read(site, rel).entries] == ["Incident 4", "Incident 3"]


def test_feeds_do_not_change_with_the_build_time(make_site):
    source = make_site(resolved_incidents(3))
    one = build_at(source, datetime(2026, 2, 1, tzinfo=UTC), "one")
    two = build_at(source, datetime(2026, 6, 30, 23, 59, tzinfo=UTC), "two")
    for rel in ("history.atom", "history.rss", "components/web/history.atom"):
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    assert read(one, "history.atom").feed.updated_parsed[:6] == (2026, 1, 1, 2, 0, 0)
    # A component with no incidents still has valid, empty feeds.
    assert read(one, "components/web/history.rss").entries == []


def test_markup_in_updates_is_sanitised_in_feeds(make_site):
    body = 'Fixed *now*.\n\n<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
    files = {
        "incidents/2026-02-01-x/01.md": update(
            "2026-02-01T10:00:00Z",
            "investigating",
            body,
            title="Title with <script>",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    }
    site = build_at(make_site(files), datetime(2026, 2, 1, 11, tzinfo=UTC))
    root = ET.fromstring((site / "history.atom").read_bytes())
    [content] = [el.text for el in root.iter(f"{ATOM}content")]
    assert "<em>now</em>" in content and "<script" not in content and "javascript:" not in content
    assert read(site, "history.atom").entries[0].title == "Title with <script>"
    rss = (site / "history.rss").read_bytes()
    assert b"<script" not in rss


def test_two_builds_with_the_same_now_are_byte_identical(example_source, tmp_path):
    outs = [tmp_path / name for name in ("a", "b")]
    for out in outs:
        build(Project.at(example_source, out), EXAMPLE_NOW)
    kinds = (
        "history.atom",
        "history.rss",
        "api",
        "badges",
        "maintenance.ics",
        "sitemap.xml",
        "robots.txt",
        "components",
    )
    compared = 0
    for path in sorted(outs[0].rglob("*")):
        rel = path.relative_to(outs[0])
        if path.is_file() and rel.parts[0] in kinds:
            assert filecmp.cmp(path, outs[1] / rel, shallow=False), rel
            compared += 1
    assert compared >= 8 + 13 + 4 + 12 * 2 + 3


def test_every_page_offers_the_subscriptions_in_its_footer(example_site):
    for rel in ("index.html", "404.html", "components/cdn/index.html"):
        links = dict(
            zip(
                texts(page(example_site, rel), "//footer//a"),
                (a.get("href") for a in page(example_site, rel).xpath("//footer//a")),
                strict=True,
            )
        )
        assert links == {
            "Atom": "/history.atom",
            "RSS": "/history.rss",
            "maintenance calendar": "/maintenance.ics",
            "status API": "/api/v2/summary.json",
        }, rel
    for href in links.values():
        assert (example_site / href.lstrip("/")).is_file()


def test_rebuilds_agree_across_hash_seeds_zones_and_locales(example_source, tmp_path):
    """Same content and --now in fresh processes with different environments: same bytes."""
    repo = Path(__file__).resolve().parent.parent
    trees = []
    for n, (seed, tz, lang) in enumerate(
        (("1", "Asia/Tokyo", "C"), ("77", "America/Los_Angeles", "C.UTF-8"))
    ):
        out = tmp_path / f"out{n}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": lang}
        subprocess.run(
            [
                sys.executable,
                str(repo / "build.py"),
                "build",
                "--source",
                str(example_source),
                "--output",
                str(out),
                "--now",
                EXAMPLE_NOW.isoformat(),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0].keys() == trees[1].keys() and len(trees[0]) > 80
    assert [rel for rel in trees[0] if trees[0][rel] != trees[1][rel]] == []


def test_feeds_default_to_fifty_entries(make_site):
    files = resolved_incidents(52)
    site = build_at(make_site(files), datetime(2026, 2, 1, tzinfo=UTC))
    titles = [e.title for e in read(site, "history.rss").entries]
    assert len(titles) == 50 and titles[0] == "Incident 52" and titles[-1] == "Incident 3"


def test_an_old_incident_with_a_new_update_leads_its_feeds(make_site):
    # Four newer API incidents fill the two-entry site feed; the old sign-in incident's late
    # update still puts it first, and the sign-in feed reaches back past every API incident.
    config = MINIMAL_CONFIG.replace("timezone: UTC", "timezone: UTC\n  feed_entries: 2")
    files = resolved_incidents(4) | {
        "incidents/2025-11-01-older/01.md": update(
            "2025-11-01T10:00:00Z",
            "resolved",
            title="Older trouble",
            severity="SEV-3",
            components={"login": "degraded_performance"},
        ),
        "incidents/2025-12-01-old/01.md": update(
            "2025-12-01T10:00:00Z",
            "investigating",
            title="Old trouble",
            severity="SEV-3",
            components={"login": "partial_outage"},
        ),
        "incidents/2025-12-01-old/02.md": update("2026-01-20T10:00:00Z", "resolved", "Fixed."),
    }
    site = build_at(make_site(files, config=config), datetime(2026, 2, 1, tzinfo=UTC))

    def titles(rel: str) -> list[str]:
        return [e.title for e in read(site, rel).entries]

    assert titles("history.atom") == titles("history.rss") == ["Old trouble", "Incident 4"]
    assert titles("components/login/history.atom") == ["Old trouble", "Older trouble"]
    assert titles("components/api/history.rss") == ["Incident 4", "Incident 3"]
    assert titles("components/web/history.atom") == []
