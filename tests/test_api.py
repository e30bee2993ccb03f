"""The Statuspage API v2 files, checked against real Statuspage responses and the example."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from builds import build_at, resolved_incidents
from conftest import MINIMAL_CONFIG, update

SAMPLES = Path(__file__).parent / "data" / "statuspage"
API = "api/v2/"
FILES = {  # file: top-level keys, in Statuspage's order
    "summary.json": ["page", "components", "incidents", "scheduled_maintenances", "status"],
    "status.json": ["page", "status"],
    "components.json": ["page", "components"],
    "incidents.json": ["page", "incidents"],
    "incidents/unresolved.json": ["page", "incidents"],
    "scheduled-maintenances.json": ["page", "scheduled_maintenances"],
    "scheduled-maintenances/upcoming.json": ["page", "scheduled_maintenances"],
    "scheduled-maintenances/active.json": ["page", "scheduled_maintenances"],
}
ID = re.compile(r"[a-z0-9]{12}")
SAMPLE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)")
OUR_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
IMPACTS = {"none", "minor", "major", "critical"}
INDICATORS = IMPACTS | {"maintenance"}


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def api(site: Path, name: str) -> dict[str, Any]:
    return json.loads((site / API / name).read_bytes().decode("utf-8"))


def sample_incidents() -> list[dict[str, Any]]:
    return (
        sample("githubstatus-incidents.json")["incidents"]
        + sample("instructure-summary.json")["incidents"]
    )


def sample_components() -> list[dict[str, Any]]:
    return [
        c
        for f in (
            "coinbase-components.json",
            "instructure-summary.json",
            "githubstatus-summary.json",
        )
        for c in sample(f)["components"]
    ]


def walk(site: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of every file, tagged with its kind."""
    for name in FILES:
        data = api(site, name)
        yield "page", data["page"]
        for c in data.get("components", []):
            yield ("group" if c["group"] else "component"), c
        for i in data.get("incidents", []) + data.get("scheduled_maintenances", []):
            yield ("maintenance" if "scheduled_for" in i else "incident"), i
            for c in i["components"]:
                yield "component", c
            for u in i["incident_updates"]:
                yield "update", u
                for a in u["affected_components"] or []:
                    yield "affected", a


def sample_shapes() -> dict[str, list[dict[str, Any]]]:
    incidents = sample_incidents()
    components = sample_components()
    updates = [u for i in incidents for u in i["incident_updates"]]
    return {
        "page": [
            sample("githubstatus-summary.json")["page"],
            sample("instructure-summary.json")["page"],
        ],
        "component": [c for c in components if not c["group"]],
        "group": [c for c in components if c["group"]],
        "incident": incidents,
        "update": updates,
        "affected": [a for u in updates for a in u["affected_components"] or []],
    }


def json_type(value: Any) -> str:
    return type(value).__name__


@pytest.fixture(scope="module")
def shapes() -> dict[str, list[dict[str, Any]]]:
    return sample_shapes()


def test_every_file_has_the_statuspage_top_level_keys(example_site: Path):
    for name, keys in FILES.items():
        raw = (example_site / API / name).read_bytes()
        assert list(json.loads(raw.decode("utf-8"))) == keys, name


def test_every_object_has_exactly_the_keys_of_real_responses(example_site: Path, shapes):
    # The 2021 sample predates `reminder_intervals`; the newest real shape is the widest one.
    expected = {kind: max({tuple(o) for o in objs}, key=len) for kind, objs in shapes.items()}
    for kind, objs in shapes.items():
        assert all(set(o) <= set(expected[kind]) for o in objs)
    expected["maintenance"] = expected["incident"] + ("scheduled_for", "scheduled_until")
    seen = set()
    for kind, obj in walk(example_site):
        seen.add(kind)
        assert tuple(obj) == expected[kind], (kind, obj.get("id"))
    assert seen == {"page", "group", "component", "incident", "maintenance", "update", "affected"}


def test_values_have_the_types_real_responses_use(example_site: Path, shapes):
    types: dict[tuple[str, str], set[str]] = {}
    for kind, objs in shapes.items():
        for obj in objs:
            for key, value in obj.items():
                types.setdefault((kind, key), set()).add(json_type(value))
    for kind, obj in walk(example_site):
        kind = "incident" if kind == "maintenance" else kind
        for key, value in obj.items():
            allowed = types.get((kind, key), {"str"}) | {"NoneType"}  # unknowable fields are null
            if kind == "group":  # a group is a component (the samples' groups have no text)
                allowed |= types.get(("component", key), set())
            assert json_type(value) in allowed, (kind, key, value)


def test_value_vocabularies_match_real_responses(example_site: Path, shapes):
    # The samples themselves use only the documented words (a check on the fixture).
    assert {i["status"] for i in shapes["incident"]} <= INCIDENT_STATUSES
    assert {i["impact"] for i in shapes["incident"]} <= IMPACTS
    assert {c["status"] for c in shapes["component"]} <= COMPONENT_STATUSES
    for kind, obj in walk(example_site):
        if kind in ("incident", "maintenance"):
            statuses = INCIDENT_STATUSES if kind == "incident" else MAINTENANCE_STATUSES
            assert obj["status"] in statuses
            assert obj["impact"] in (IMPACTS if kind == "incident" else {"maintenance"})
            assert {u["status"] for u in obj["incident_updates"]} <= statuses
        elif kind in ("component", "group"):
            assert obj["status"] in COMPONENT_STATUSES
        elif kind == "affected":
            assert {obj["old_status"], obj["new_status"]} <= COMPONENT_STATUSES
    assert api(example_site, "status.json")["status"]["indicator"] in INDICATORS


def test_ids_and_times_look_like_statuspage(example_site: Path, shapes):
    assert ID.fullmatch(shapes["page"][0]["id"]) and SAMPLE_TIME.fullmatch(
        shapes["update"][0]["created_at"]
    )
    for kind, obj in walk(example_site):
        for key, value in obj.items():
            if key in ("id", "page_id", "incident_id", "group_id", "code") and value is not None:
                assert ID.fullmatch(value), (kind, key, value)
            if key.endswith(("_at", "_for", "_until")) and value is not None:
                assert OUR_TIME.fullmatch(value), (kind, key, value)


def test_files_are_pretty_utf8_json_with_one_trailing_newline(make_site):
    config = MINIMAL_CONFIG.replace("Public API", "Café API ✓")
    site = build_at(make_site(config=config), datetime(2026, 3, 1, tzinfo=UTC))
    raw = (site / API / "components.json").read_bytes()
    assert "Café API ✓".encode() in raw and raw.endswith(b"}\n") and b'\n  "page": {' in raw


def test_example_summary_matches_the_model(example_site: Path):
    summary = api(example_site, "summary.json")
    assert summary["page"]["name"] == "Acme"
    assert summary["page"]["url"] == "https://status.acme.example"
    assert summary["page"]["time_zone"] == "America/New_York"
    assert summary["page"]["updated_at"] == "2026-11-24T15:05:00.000Z"  # newest update
    # The open SEV-2 incident's impact outranks the degraded banner.
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert [i["name"] for i in summary["incidents"]] == ["Scheduled posts publishing late"]
    assert [m["name"] for m in summary["scheduled_maintenances"]] == ["CDN provider migration"]
    assert api(example_site, "incidents/unresolved.json")["incidents"] == summary["incidents"]
    assert api(example_site, "status.json") == {
        "page": summary["page"],
        "status": summary["status"],
    }


def test_components_and_groups_match_components_yaml(example_site: Path):
    components = api(example_site, "components.json")["components"]
    by_id = {c["id"]: c for c in components}
    groups = [c for c in components if c["group"]]
    assert [g["name"] for g in groups] == ["Dashboard", "Publishing", "Infrastructure"]
    assert [g["position"] for g in groups] == [3, 4, 5]
    members = [[by_id[cid]["name"] for cid in g["components"]] for g in groups]
    assert members == [
        ["Web app", "Sign-in", "Search"],
        ["Publishing API", "Media uploads", "Post scheduler"],
        ["Primary database", "CDN", "Email delivery", "DNS"],
    ]
    for g in groups:
        assert all(by_id[cid]["group_id"] == g["id"] for cid in g["components"])
        assert [by_id[cid]["position"] for cid in g["components"]] == list(
            range(1, len(g["components"]) + 1)
        )
    statuses = {c["name"]: c["status"] for c in components}
    assert statuses["Post scheduler"] == "degraded_performance"
    assert statuses["Publishing"] == "degraded_performance"  # a group is its worst member
    assert statuses["Public API"] == "operational" and len(components) == 15
    assert (
        by_id[groups[0]["components"][1]]["description"] == "Password, SSO and two-factor sign-in"
    )
    assert statuses == {
        c["name"]: c["status"] for c in api(example_site, "summary.json")["components"]
    }


def test_incident_updates_are_newest_first_with_every_component_so_far(example_site: Path):
    incidents = api(example_site, "incidents.json")["incidents"]
    pool = next(i for i in incidents if i["name"].startswith("Database connection pool"))
    assert pool["status"] == "postmortem" and pool["impact"] == "major"  # published on time
    assert pool["shortlink"] == (
        "https://status.acme.example/incidents/2025-08-11-database-connection-pool-exhausted/"
    )
    assert pool["started_at"] == "2025-08-11T13:58:00.000Z"
    assert pool["monitoring_at"] == "2025-08-11T14:15:00.000Z"
    updates = pool["incident_updates"]
    times = [u["created_at"] for u in updates]
    assert len(updates) == 7 and times == sorted(times, reverse=True)
    assert pool["resolved_at"] == times[0] and pool["created_at"] == times[-1]
    assert [u["status"] for u in updates][::6] == ["resolved", "investigating"]
    first = {
        a["name"]: (a["old_status"], a["new_status"]) for a in updates[-1]["affected_components"]
    }
    assert first == {
        "Public API": ("operational", "partial_outage"),
        "Dashboard - Web app": ("operational", "degraded_performance"),
        "Infrastructure - Primary database": ("operational", "degraded_performance"),
    }
    monitoring = next(u for u in updates if u["created_at"] == "2025-08-11T14:15:00.000Z")
    changes = {
        a["name"]: (a["old_status"], a["new_status"]) for a in monitoring["affected_components"]
    }
    assert changes["Public API"] == ("partial_outage", "degraded_performance")
    assert changes["Dashboard - Web app"] == ("degraded_performance", "operational")
    assert len(changes) == 3  # unchanged ones are listed too
    assert {u["incident_id"] for u in updates} == {pool["id"]}
    assert [c["name"] for c in pool["components"]] == ["Public API", "Web app", "Primary database"]


def test_postmortem_and_maintenance_objects(example_site: Path):
    incidents = {i["name"]: i for i in api(example_site, "incidents.json")["incidents"]}
    assert all("scheduled_for" not in i for i in incidents.values())
    assert "postmortem" in {i["status"] for i in incidents.values()}
    maint = api(example_site, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert [m["name"] for m in maint] == ["CDN provider migration", "Primary database upgrade"]
    cdn, db = maint
    assert (cdn["status"], cdn["scheduled_for"], cdn["scheduled_until"]) == (
        "scheduled",
        "2026-12-02T05:00:00.000Z",
        "2026-12-02T07:00:00.000Z",
    )
    assert cdn["resolved_at"] is None and db["status"] == "completed"
    assert db["resolved_at"] == "2025-10-02T06:40:00.000Z" and db["impact"] == "maintenance"
    assert api(example_site, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"] == [
        cdn
    ]
    assert api(example_site, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []


WINDOW = {
    "incidents/2026-03-10-db/01-scheduled.md": update(
        "2026-03-01T10:00:00Z",
        "scheduled",
        "We will upgrade the database.",
        kind="maintenance",
        title="Database upgrade",
        components={"api": "under_maintenance"},
        scheduled_for="2026-03-10T06:00:00Z",
        scheduled_until="2026-03-10T08:00:00Z",
    )
}


@pytest.mark.parametrize(
    "now, status, active, api_status, indicator",
    [
        (datetime(2026, 3, 5, tzinfo=UTC), "scheduled", False, "operational", "none"),
        (
            datetime(2026, 3, 10, 7, tzinfo=UTC),
            "in_progress",
            True,
            "under_maintenance",
            "maintenance",
        ),
        (datetime(2026, 3, 11, tzinfo=UTC), "completed", False, "operational", "none"),
    ],
)
def test_maintenance_follows_the_clock(make_site, now, status, active, api_status, indicator):
    site = build_at(make_site(WINDOW), now)
    [m] = api(site, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert m["status"] == status
    assert m["resolved_at"] == ("2026-03-10T08:00:00.000Z" if status == "completed" else None)
    assert bool(api(site, "scheduled-maintenances/active.json")["scheduled_maintenances"]) is active
    summary = api(site, "summary.json")
    assert (
        summary["page"]["updated_at"]
        == {  # clients watch it to notice a change
            "scheduled": "2026-03-01T10:00:00.000Z",
            "in_progress": "2026-03-10T06:00:00.000Z",
            "completed": "2026-03-10T08:00:00.000Z",
        }[status]
    )
    assert {c["name"]: c["status"] for c in summary["components"]}["Public API"] == api_status
    assert summary["status"]["indicator"] == indicator
    assert len(summary["scheduled_maintenances"]) == (0 if status == "completed" else 1)


def one_update_site(make_site, body: str, config: str = MINIMAL_CONFIG) -> Path:
    files = {
        "incidents/2026-02-01-x/01.md": update(
            "2026-02-01T10:00:00Z",
            "investigating",
            body,
            title="A <b>bold</b> title",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    }
    return build_at(make_site(files, config=config), datetime(2026, 2, 1, 11, tzinfo=UTC))


def test_bodies_are_the_markdown_source_with_breaks_and_link_targets(make_site):
    body = (
        "We are **looking** into [the errors](https://status.test.example/faq#errors).\n"
        "Retries are safe.\n\n"
        "Next update by 12:00 UTC: <https://status.test.example/>"
    )
    site = one_update_site(make_site, body)
    [incident] = api(site, "incidents.json")["incidents"]
    assert incident["incident_updates"][0]["body"] == body  # as written, as Statuspage returns it
    assert incident["name"] == "A <b>bold</b> title"  # JSON text, not HTML: clients escape it
    # Real bodies keep their paragraph breaks too.
    assert any("\n\n" in u["body"] for u in sample_shapes()["update"])


def test_bodies_lose_everything_that_could_run_script(make_site):
    body = (
        "We are **looking** into it.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
        "[a](javascript:alert(3)) [b](JaVa&#x53;cript:alert(4)) <javascript:alert(5)>"
        " [c]<i>(data:text/html,x) <<b>script>alert(6)\n\n[d]: vbscript:alert(7)"
    )
    site = one_update_site(make_site, body)
    [incident] = api(site, "incidents.json")["incidents"]
    assert incident["incident_updates"][0]["body"] == (
        "We are **looking** into it.\n\n"
        "[a]\\(javascript:alert(3)) [b]\\(JaVa&#x53;cript:alert(4)) javascript:alert(5)"
        " [c]\\(data:text/html,x) script>alert(6)\n\n[d]\\: vbscript:alert(7)"
    )
    raw = b"".join(p.read_bytes() for p in (site / API).rglob("*.json"))
    assert b"<script" not in raw and b"onerror" not in raw and b"](javascript" not in raw
    # what the page shows of the same update: the same text, no script, no link to one
    page = (site / "incidents/2026-02-01-x/index.html").read_bytes()
    shown = page.split(b"</h1>")[1].lower()
    assert b"<script>alert" not in shown and b"onerror" not in shown
    assert not re.search(rb"<a [^>]*href=\"?\s*(javascript|vbscript|data):", shown)


def test_ids_are_stable_and_stay_when_the_site_moves(make_site, tmp_path: Path):
    files = {
        "incidents/2026-02-01-x/01.md": update(
            "2026-02-01T10:00:00Z",
            "investigating",
            title="X",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    }
    source = make_site(files)

    def ids(out: str, now: datetime) -> list[str]:
        data = api(build_at(source, now, out), "summary.json")
        [incident] = data["incidents"]
        return [
            data["page"]["id"],
            *(c["id"] for c in data["components"]),
            incident["id"],
            *(u["id"] for u in incident["incident_updates"]),
        ]

    one = ids("a", datetime(2026, 2, 1, 11, tzinfo=UTC))
    assert one == ids("b", datetime(2026, 2, 1, 12, tzinfo=UTC))
    (source / "components.yaml").write_text(
        MINIMAL_CONFIG.replace("status.test.example", "status.other.example"), encoding="utf-8"
    )
    assert ids("c", datetime(2026, 2, 1, 12, tzinfo=UTC)) == one  # a new domain, the same page
    # the page's id is its name's: another name is another page, every id with it
    (source / "components.yaml").write_text(
        MINIMAL_CONFIG.replace("Test Co", "Other Co"), encoding="utf-8"
    )
    other = ids("d", datetime(2026, 2, 1, 12, tzinfo=UTC))
    assert not set(other) & set(one) and len(set(one)) == len(one)


def test_an_empty_site_still_answers_every_file(make_site):
    site = build_at(make_site(), datetime(2026, 1, 1, tzinfo=UTC))
    assert api(site, "summary.json")["status"] == {
        "indicator": "none",
        "description": "All Systems Operational",
    }
    assert api(site, "incidents.json")["incidents"] == []
    assert api(site, "status.json")["page"]["updated_at"] is None


def test_lists_hold_the_fifty_most_recent(make_site):
    files = resolved_incidents(52)
    site = build_at(make_site(files), datetime(2026, 2, 1, tzinfo=UTC))
    names = [i["name"] for i in api(site, "incidents.json")["incidents"]]
    assert len(names) == 50 and names[0] == "Incident 52" and names[-1] == "Incident 3"


def test_each_component_is_stamped_with_its_own_latest_change(make_site):
    # Newer incidents on the API must not hide the older changes of the other components; the web
    # app's last change is its maintenance window closing by the clock, after its last update.
    files = resolved_incidents(3) | {
        "incidents/2025-12-01-login/01.md": update(
            "2025-12-01T10:00:00Z",
            "investigating",
            title="Sign-in slow",
            severity="SEV-3",
            components={"login": "degraded_performance"},
        ),
        "incidents/2025-12-01-login/02.md": update("2025-12-01T11:00:00Z", "resolved"),
        "incidents/2026-01-04-api/01.md": update(
            "2026-01-04T10:00:00Z",
            "investigating",
            title="API slow",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        ),
        "incidents/2026-01-04-api/02.md": update(
            "2026-01-04T11:00:00Z", "resolved", components={"api": "operational"}
        ),
        "incidents/2026-01-10-web/01.md": update(
            "2025-12-20T09:00:00Z",
            "scheduled",
            "We will upgrade the web app.",
            kind="maintenance",
            title="Web upgrade",
            components={"web": "under_maintenance"},
            scheduled_for="2026-01-10T10:00:00Z",
            scheduled_until="2026-01-10T12:00:00Z",
        ),
    }
    site = build_at(make_site(files), datetime(2026, 2, 1, tzinfo=UTC))
    updated = {c["name"]: c["updated_at"] for c in api(site, "components.json")["components"]}
    assert updated == {
        "Public API": "2026-01-04T11:00:00.000Z",
        "Dashboard": "2026-01-10T12:00:00.000Z",  # the newest of its members
        "Web app": "2026-01-10T12:00:00.000Z",
        "Sign-in": "2025-12-01T11:00:00.000Z",  # resolved: its component is operational again
    }
    assert api(site, "status.json")["page"]["updated_at"] == "2026-01-10T12:00:00.000Z"


def test_components_and_groups_carry_times_like_real_ones(make_site, example_site: Path, shapes):
    # Real components and groups always have both times.
    for kind in ("component", "group"):
        assert all(c["created_at"] and c["updated_at"] for c in shapes[kind])
    components = api(example_site, "components.json")["components"]
    # created: the example's first public update, the oldest record of the page it holds
    assert {c["created_at"] for c in components} == {"2025-01-14T16:05:00.000Z"}
    updated = {c["name"]: c["updated_at"] for c in components}
    # the CDN migration announced on 20 November changes nothing until its window opens
    assert updated["CDN"] == "2025-01-14T17:30:00.000Z"
    assert updated["Media uploads"] == "2026-04-22T12:50:00.000Z"
    assert updated["Post scheduler"] == "2026-11-24T15:05:00.000Z"
    assert all(c["created_at"] <= c["updated_at"] for c in components)
    # a component no incident ever touched was last updated when it was created
    files = resolved_incidents(2)
    site = build_at(make_site(files), datetime(2026, 2, 1, tzinfo=UTC))
    stamps = {
        c["name"]: (c["created_at"], c["updated_at"])
        for c in api(site, "components.json")["components"]
    }
    assert stamps["Sign-in"] == stamps["Dashboard"] == ("2026-01-01T00:00:00.000Z",) * 2


def test_showcase_marks_the_components_with_uptime_bars(make_site, example_site: Path, shapes):
    # githubstatus showcases its components with bars and not its notice; groups never
    assert {c["showcase"] for c in shapes["component"]} == {True, False}
    assert {c["showcase"] for c in shapes["group"]} == {False}
    components = api(example_site, "components.json")["components"]
    assert {c["showcase"] for c in components if not c["group"]} == {True}
    assert {c["showcase"] for c in components if c["group"]} == {False}
    config = MINIMAL_CONFIG.replace(
        "{id: login, name: Sign-in}", "{id: login, name: Sign-in, show_uptime: false}"
    )
    site = build_at(make_site(config=config), datetime(2026, 2, 1, tzinfo=UTC))
    showcase = {c["name"]: c["showcase"] for c in api(site, "components.json")["components"]}
    assert showcase == {"Public API": True, "Dashboard": False, "Web app": True, "Sign-in": False}


def test_components_are_listed_by_position_as_statuspage_does(example_site: Path):
    # Real lists run by position, which counts within each parent (the page, or a group).
    for name in ("coinbase-components.json", "instructure-summary.json"):
        positions = [c["position"] for c in sample(name)["components"]]
        assert positions == sorted(positions) and positions.count(1) > 1
    components = api(example_site, "components.json")["components"]
    assert [(c["position"], c["name"]) for c in components] == [
        (1, "Public API"),
        (1, "Web app"),
        (1, "Publishing API"),
        (1, "Primary database"),
        (2, "Webhooks"),
        (2, "Sign-in"),
        (2, "Media uploads"),
        (2, "CDN"),
        (3, "Dashboard"),
        (3, "Search"),
        (3, "Post scheduler"),
        (3, "Email delivery"),
        (4, "Publishing"),
        (4, "DNS"),
        (5, "Infrastructure"),
    ]
    assert api(example_site, "summary.json")["components"] == components


def test_groups_carry_their_descriptions(example_site: Path):
    groups = [c for c in api(example_site, "components.json")["components"] if c["group"]]
    assert {g["name"]: g["description"] for g in groups} == {
        "Dashboard": "The web app where you write, schedule and review posts",
        "Publishing": "Publishing posts, now or at a scheduled time",
        "Infrastructure": "The systems every other component runs on",
    }


def statuspage_order(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unresolved first, newest first; then by resolution, latest first."""
    return sorted(
        incidents,
        key=lambda i: (
            i["resolved_at"] is None,
            i["resolved_at"] or i["created_at"],
            i["created_at"],
        ),
        reverse=True,
    )


def test_incidents_are_in_statuspages_order(make_site):
    # githubstatus lists its incidents so, not by start: some began before one listed above them.
    real = sample("githubstatus-incidents.json")["incidents"]
    assert statuspage_order(real) == real
    assert [i["created_at"] for i in real] != sorted((i["created_at"] for i in real), reverse=True)
    files = {
        # open since 1 January: above the incident that began later and is resolved
        "incidents/2026-01-01-slow/01.md": update(
            "2026-01-01T10:00:00Z",
            "identified",
            title="Slow exports",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        ),
        "incidents/2026-01-02-down/01.md": update(
            "2026-01-02T10:00:00Z",
            "investigating",
            title="Sign-in down",
            severity="SEV-2",
            components={"login": "major_outage"},
        ),
        "incidents/2026-01-02-down/02.md": update("2026-01-02T11:00:00Z", "resolved"),
        # began first, resolved last: above the one resolved before it
        "incidents/2025-12-30-long/01.md": update(
            "2025-12-30T10:00:00Z",
            "investigating",
            title="Webhooks late",
            severity="SEV-3",
            components={"web": "degraded_performance"},
        ),
        "incidents/2025-12-30-long/02.md": update("2026-01-03T10:00:00Z", "resolved"),
    }
    site = build_at(make_site(files), datetime(2026, 1, 5, tzinfo=UTC))
    listed = api(site, "incidents.json")["incidents"]
    assert [i["name"] for i in listed] == ["Slow exports", "Webhooks late", "Sign-in down"]
    assert statuspage_order(listed) == listed


def test_a_maintenance_starts_when_announced_and_its_components_wait_for_the_window(
    example_site: Path,
):
    [cdn] = api(example_site, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    assert cdn["started_at"] == cdn["created_at"] == "2026-11-20T16:00:00.000Z"
    [first] = cdn["incident_updates"]
    assert {a["name"]: a["new_status"] for a in first["affected_components"]} == {
        "Infrastructure - CDN": "operational",
        "Publishing - Media uploads": "operational",
    }
    summary = api(example_site, "summary.json")
    assert {c["name"]: c["status"] for c in summary["components"]}["CDN"] == "operational"
