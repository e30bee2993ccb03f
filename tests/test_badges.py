"""SVG status badges: one for the site and one per component, readable by screen readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from builds import build_at
from conftest import MINIMAL_CONFIG, update

from heliograph.cli import main

SVG = "{http://www.w3.org/2000/svg}"
COMPONENTS = (
    "api",
    "webhooks",
    "web",
    "login",
    "search",
    "publishing-api",
    "media",
    "scheduler",
    "database",
    "cdn",
    "email",
    "dns",
)


def badge(site: Path, name: str) -> ET.Element:
    root = ET.fromstring((site / "badges" / f"{name}.svg").read_bytes())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    return root


def title(root: ET.Element) -> str:
    [el] = root.findall(f"{SVG}title")
    assert root.get("aria-label") == el.text
    return el.text or ""


def fill(root: ET.Element) -> str:
    """The colour of the message half: the second rectangle."""
    return root.findall(f"{SVG}g/{SVG}rect")[1].get("fill") or ""


def test_every_component_and_the_site_have_a_badge(example_site: Path):
    names = sorted(p.stem for p in (example_site / "badges").glob("*.svg"))
    assert names == sorted((*COMPONENTS, "status"))
    # the open SEV-2 incident's major impact outranks its component's degraded status
    assert title(badge(example_site, "status")) == "Acme: Partial System Outage"
    assert title(badge(example_site, "scheduler")) == "Post scheduler: Degraded performance"
    assert title(badge(example_site, "api")) == "Public API: Operational"


def test_colour_follows_the_status(example_site: Path):
    assert fill(badge(example_site, "scheduler")) == "#dfb317"
    assert fill(badge(example_site, "api")) == "#4c1"
    assert fill(badge(example_site, "status")) == "#fe7d37"  # the colour of a partial outage


def test_visible_text_matches_the_title_and_the_box_fits_it(example_site: Path):
    for name in ("api", "publishing-api", "status"):
        root = badge(example_site, name)
        shown = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
        assert ": ".join(shown) == title(root)
        rects = root.findall(f"{SVG}g/{SVG}rect")
        assert int(rects[0].get("width")) + int(rects[1].get("width")) == int(root.get("width"))
    assert int(badge(example_site, "publishing-api").get("width")) > int(
        badge(example_site, "api").get("width")
    )


def test_outage_and_maintenance_colours(make_site):
    files = {
        "incidents/2026-02-01-x/01.md": update(
            "2026-02-01T10:00:00Z",
            "investigating",
            title="Down",
            severity="SEV-1",
            components={"api": "major_outage"},
        ),
        "incidents/2026-02-01-m/01.md": update(
            "2026-01-20T10:00:00Z",
            "scheduled",
            "Upgrade.",
            kind="maintenance",
            title="Upgrade",
            components={"web": "under_maintenance"},
            scheduled_for="2026-02-01T09:00:00Z",
            scheduled_until="2026-02-01T12:00:00Z",
        ),
    }
    site = build_at(make_site(files), datetime(2026, 2, 1, 11, tzinfo=UTC))
    assert (title(badge(site, "api")), fill(badge(site, "api"))) == (
        "Public API: Major outage",
        "#e05d44",
    )
    assert (title(badge(site, "web")), fill(badge(site, "web"))) == (
        "Web app: Under maintenance",
        "#007ec6",
    )
    assert title(badge(site, "status")) == "Test Co: Major System Outage"


def test_names_are_xml_escaped(make_site):
    hostile = "name: '<script>alert(1)</script> & \"API\"'"
    config = MINIMAL_CONFIG.replace("name: Public API", hostile)
    site = build_at(make_site(config=config), datetime(2026, 2, 1, tzinfo=UTC))
    raw = (site / "badges" / "api.svg").read_bytes()
    assert b"<script" not in raw and b"&lt;script&gt;" in raw
    assert title(badge(site, "api")) == '<script>alert(1)</script> & "API": Operational'


def test_a_component_cannot_take_the_site_badges_name(make_site, capsys):
    source = make_site(config=MINIMAL_CONFIG.replace("id: api", "id: status"))
    assert main(["build", "--source", str(source), "--now", "2026-02-01T00:00:00Z"]) == 1
    err = capsys.readouterr().err
    assert "components.yaml:6: component id 'status' is taken by the site-wide badge" in err
    assert "Traceback" not in err
