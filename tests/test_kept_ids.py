"""Ids kept from another page: a client of the old page's API sees the same ids after a move."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builds import build_at
from conftest import update

NOW = datetime(2026, 2, 11, tzinfo=UTC)
CONFIG = """\
site:
  name: Test Co
  url: https://status.test.example
  page_id: kctbh9vrtdwd
components:
  - {id: api, name: Public API, api_id: brv1bkgrwx7q}
  - group: Dashboard
    api_id: 41wg86q5vc14
    components:
      - {id: web, name: Web app, api_id: 9dlvqx1drp3d}
      - {id: login, name: Sign-in}
"""


def api(site: Path, name: str) -> dict[str, Any]:
    return json.loads((site / "api" / "v2" / name).read_text(encoding="utf-8"))


def kept_incident() -> dict[str, str]:
    return {
        "incidents/2026-02-10-api/01-investigating.md": update(
            "2026-02-10T14:32:00Z",
            "investigating",
            "Requests fail.<br /><br />We are **looking** into it.",
            title="API errors",
            severity="SEV-2",
            components="{}",
            incident_id="9tpgqq1h4bs7",
            shortlink="https://stspg.io/45g8r57kv3n9",
            update_id="037n83zvm9h2",
        ),
        "incidents/2026-02-10-api/02-identified.md": update(
            "2026-02-10T14:50:00Z",
            "identified",
            "Found it.",
            components={"web": "partial_outage"},
            update_id="7f4jmtk5hldk",
        ),
        "incidents/2026-02-10-api/03-resolved.md": update(
            "2026-02-10T15:10:00Z", "resolved", "Fixed.", components={"web": "operational"}
        ),
    }


def test_kept_ids_are_published_instead_of_derived_ones(make_site):
    site = build_at(make_site(kept_incident(), CONFIG), NOW)
    components = {c["name"]: c for c in api(site, "components.json")["components"]}
    assert api(site, "status.json")["page"]["id"] == "kctbh9vrtdwd"
    assert components["Public API"]["id"] == "brv1bkgrwx7q"
    assert components["Dashboard"]["id"] == "41wg86q5vc14"
    assert components["Dashboard"]["components"][0] == "9dlvqx1drp3d"
    assert components["Web app"]["group_id"] == "41wg86q5vc14"
    assert components["Sign-in"]["id"] != components["Web app"]["id"]  # derived, as before
    [incident] = api(site, "incidents.json")["incidents"]
    assert incident["id"] == "9tpgqq1h4bs7"
    assert incident["shortlink"] == "https://stspg.io/45g8r57kv3n9"
    resolved, identified, investigating = incident["incident_updates"]
    assert [investigating["id"], identified["id"]] == ["037n83zvm9h2", "7f4jmtk5hldk"]
    assert {u["incident_id"] for u in incident["incident_updates"]} == {"9tpgqq1h4bs7"}
    assert identified["affected_components"] == [
        {
            "code": "9dlvqx1drp3d",
            "name": "Dashboard - Web app",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    # No component attached yet: null, as Statuspage publishes it.
    assert investigating["affected_components"] is None
    # The message as written, Statuspage's own line breaks included.
    assert investigating["body"] == "Requests fail.<br /><br />We are **looking** into it."
    # The page still links the incident page, and the feeds keep their own entry ids.
    feed = (site / "history.atom").read_text(encoding="utf-8")
    assert "https://status.test.example/incidents/2026-02-10-api/" in feed


def test_an_incident_with_no_component_builds(make_site):
    files = {
        "incidents/2026-02-10-notice/01-resolved.md": update(
            "2026-02-10T14:32:00Z",
            "resolved",
            "A notice that touched no component.",
            title="Notice",
            severity="SEV-4",
            components="{}",
        )
    }
    site = build_at(make_site(files, CONFIG), NOW)
    [incident] = api(site, "incidents.json")["incidents"]
    assert incident["components"] == [] and incident["status"] == "resolved"
    page = (site / "incidents" / "2026-02-10-notice" / "index.html").read_text(encoding="utf-8")
    assert "A notice that touched no component." in page
