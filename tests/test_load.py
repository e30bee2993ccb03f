"""The loader: the documented format becomes the model; each bad input is one located error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import MINIMAL_CONFIG, update

from heliograph.content.load import load
from heliograph.content.model import ComponentStatus, IncidentStatus, Kind, MaintenanceStatus

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FIRST = dict(
    title="Publishing API returning errors", severity="SEV-2", components={"api": "partial_outage"}
)


def errors_of(make_site, files, **kw):
    content, errors = load(make_site(files, **kw), NOW)
    assert content is None
    return [str(e) for e in errors]


def test_documented_incident_becomes_the_model(make_site):
    root = make_site(
        {
            "incidents/api-errors/01-investigating.md": update(
                "2026-02-10T14:32:00Z",
                "investigating",
                "We are investigating.",
                started="2026-02-10T14:30:00Z",
                detected="2026-02-10T14:31:00Z",
                **FIRST,
            ),
            "incidents/api-errors/02-resolved.md": update(
                "2026-02-10T15:40:00+01:00", "resolved", "Fixed.", components={"api": "operational"}
            ),
        }
    )
    content, errors = load(root, NOW)
    assert errors == []
    (incident,) = content.incidents
    assert incident.slug == "api-errors" and incident.kind is Kind.INCIDENT
    assert incident.title == "Publishing API returning errors"
    assert [u.status for u in incident.updates] == [
        IncidentStatus.INVESTIGATING,
        IncidentStatus.RESOLVED,
    ]
    assert incident.updates[1].at == datetime(2026, 2, 10, 14, 40, tzinfo=UTC)
    assert incident.updates[0].line == 2
    assert incident.updates[0].components == (("api", ComponentStatus.PARTIAL_OUTAGE),)
    assert incident.started == datetime(2026, 2, 10, 14, 30, tzinfo=UTC)
    assert incident.resolved_at == incident.updates[1].at
    assert content.site.severity("SEV-1").update_every == timedelta(minutes=30)
    assert [g.components for g in content.site.groups] == [("web", "login")]


def test_order_comes_from_at_not_file_names(make_site):
    root = make_site(
        {
            "incidents/x/b.md": update("2026-02-10T14:00:00Z", "investigating", **FIRST),
            "incidents/x/a.md": update("2026-02-10T15:00:00Z", "resolved"),
        }
    )
    content, _ = load(root, NOW)
    assert [u.path.name for u in content.incidents[0].updates] == ["b.md", "a.md"]


def test_maintenance_needs_its_window(make_site):
    errors = errors_of(
        make_site,
        {
            "incidents/m/01.md": update(
                "2026-02-10T14:00:00Z",
                "scheduled",
                kind="maintenance",
                title="Upgrade",
                components={"api": "under_maintenance"},
            )
        },
    )
    assert (
        "incidents/m/01.md:1: the first update of an incident needs 'scheduled_for:'" in errors[0]
    )
    root = make_site(
        {
            "incidents/m/01.md": update(
                "2026-02-10T14:00:00Z",
                "scheduled",
                kind="maintenance",
                title="Upgrade",
                components={"api": "under_maintenance"},
                scheduled_for="2026-02-12T01:00:00Z",
                scheduled_until="2026-02-12T02:00:00Z",
            )
        }
    )
    content, errors = load(root, NOW)
    assert errors == [] and content.incidents[0].updates[0].status is MaintenanceStatus.SCHEDULED


def test_every_error_of_a_build_is_reported_with_its_line(make_site):
    errors = errors_of(
        make_site,
        {
            "incidents/a/01.md": update(
                "2026-02-10T14:00:00Z",
                "investigating",
                title="T",
                severity="SEV-9",
                components={"nope": "down"},
            ),
            "incidents/b/01.md": update("2026-02-10T14:00:00", "investigating", **FIRST),
            "incidents/c/01.md": update("2026-02-10T14:00:00Z", "fixed", colour="red", **FIRST),
        },
    )
    assert errors == [
        "incidents/a/01.md:5: unknown severity 'SEV-9'; known: SEV-1, SEV-2, SEV-3, SEV-4",
        "incidents/a/01.md:7: unknown component 'nope'; components.yaml defines: api, login, web",
        "incidents/b/01.md:2: 'at': time '2026-02-10T14:00:00' has no offset; add Z for UTC: "
        "2026-02-10T14:00:00Z",
        "incidents/c/01.md:3: 'status': expected one of investigating, identified, monitoring, "
        "resolved, got 'fixed'",
        "incidents/c/01.md:4: unknown key 'colour' in front matter; known keys: at, status, "
        "title, severity, components, kind, started, detected, scheduled_for, scheduled_until, "
        "incident_id, shortlink, update_id",
    ]


def test_first_update_must_declare_the_incident(make_site):
    errors = errors_of(
        make_site, {"incidents/a/01.md": update("2026-02-10T14:00:00Z", "investigating")}
    )
    assert [e.split(" (")[0] for e in errors] == [
        "incidents/a/01.md:1: the first update of an incident needs 'components:'",
        "incidents/a/01.md:1: the first update of an incident needs 'severity:'",
        "incidents/a/01.md:1: the first update of an incident needs 'title:'",
    ]


def test_times_in_the_future_duplicates_and_order(make_site):
    errors = errors_of(
        make_site,
        {
            "incidents/a/01-investigating.md": update(
                "2026-02-10T14:00:00Z", "investigating", **FIRST
            ),
            "incidents/a/02-identified.md": update("2026-02-10T14:00:00Z", "identified"),
            "incidents/b/01-investigating.md": update(
                "2026-02-10T15:00:00Z", "investigating", **FIRST
            ),
            "incidents/b/02-identified.md": update("2026-02-10T14:00:00Z", "identified"),
            "incidents/c/01.md": update("2027-01-01T00:00:00Z", "investigating", **FIRST),
        },
    )
    assert errors[0].startswith(
        "incidents/a/02-identified.md:2: duplicate time: 01-investigating.md has the same 'at'"
    )
    assert errors[1] == (
        "incidents/b/01-investigating.md:2: update out of order: "
        "01-investigating.md is at 2026-02-10T15:00:00+00:00, after "
        "02-identified.md (2026-02-10T14:00:00+00:00); fix the time or rename"
    )
    assert errors[-1].startswith(
        "incidents/c/01.md:2: 'at' 2027-01-01T00:00:00+00:00 is after the build's time"
    )


def test_broken_files(make_site):
    errors = errors_of(
        make_site,
        {
            "incidents/a/01.md": "",
            "incidents/b/01.md": b"---\nat: 2026-02-10T14:00:00Z\ntitle: caf\xe9\n---\nx\n",
            "incidents/c/01.md": "---\nat: [2026\n---\nbody\n",
            "incidents/d/01.md": "no front matter here\n",
            "incidents/Bad Name/01.md": update("2026-02-10T14:00:00Z", "investigating", **FIRST),
            "incidents/e/01.md": update("2026-02-10T14:00:00Z", "investigating", "", **FIRST),
        },
    )
    assert errors[0] == (
        "incidents/Bad Name:1: incident folder name 'Bad Name' is its URL: "
        "use lowercase letters, digits and '-' only"
    )
    assert errors[1].startswith("incidents/a/01.md:1: empty file")
    assert errors[2] == "incidents/b/01.md:3: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    assert errors[3].startswith("incidents/c/01.md:2: malformed YAML")
    assert errors[4] == (
        "incidents/d/01.md:1: expected front matter: the file must start with a '---' line"
    )
    assert errors[5].startswith("incidents/e/01.md:8: the update has no message")


def test_components_yaml_errors(make_site):
    config = """\
    site:
      name: X
      url: status.example
      timezone: Mars/Olympus
    components:
      - id: api
        name: API
      - id: api
        name: Again
      - {id: Web App, name: Web}
    extra: 1
    """
    errors = errors_of(make_site, {}, config=config)
    assert errors == [
        "components.yaml:3: 'url': expected an absolute http(s) URL, got 'status.example'",
        "components.yaml:4: 'timezone': expected an IANA time zone such as UTC or "
        "Europe/Berlin, got 'Mars/Olympus'",
        "components.yaml:8: duplicate component id 'api' (first at line 6)",
        "components.yaml:10: 'id': expected an id of lowercase letters, digits, '-' and '_' "
        "(starting with a letter or digit), got 'Web App'",
        "components.yaml:11: unknown key 'extra' in components.yaml; known keys: site, "
        "severities, components, wording, notify",
    ]


def test_later_updates_change_only_what_they_name(make_site):
    root = make_site(
        {
            "incidents/a/01.md": update(
                "2026-02-10T14:00:00Z",
                "investigating",
                title="T",
                severity="SEV-2",
                components={"api": "partial_outage", "web": "degraded_performance"},
            ),
            "incidents/a/02.md": update(
                "2026-02-10T14:20:00Z",
                "identified",
                severity="SEV-1",
                components={"api": "major_outage"},
            ),
        }
    )
    (incident,) = load(root, NOW)[0].incidents
    assert incident.severity == "SEV-1" and incident.title == "T"
    assert incident.component_ids == ("api", "web")


def test_a_time_without_offset_is_suggested_in_the_sites_own_zone(make_site):
    config = MINIMAL_CONFIG.replace("timezone: UTC", "timezone: America/New_York")
    errors = errors_of(
        make_site,
        {
            "incidents/a/01.md": update("2026-02-10T09:32:00", "investigating", **FIRST),
            "incidents/b/01.md": update(
                "2025-07-10T09:32:00Z", "investigating", started="2025-07-10T09:30:00", **FIRST
            ),
            "incidents/b/postmortem.md": "---\nat: 2025-07-11T10:00:00\n---\nWhy.\n",
        },
        config=config,
    )
    assert errors == [
        "incidents/a/01.md:2: 'at': time '2026-02-10T09:32:00' has no offset; add Z for UTC "
        "or an offset: 2026-02-10T09:32:00-05:00 for America/New_York",
        "incidents/b/01.md:4: 'started': time '2025-07-10T09:30:00' has no offset; add Z for "
        "UTC or an offset: 2025-07-10T09:30:00-04:00 for America/New_York",  # summer time
        "incidents/b/postmortem.md:2: 'at': time '2025-07-11T10:00:00' has no offset; add Z for "
        "UTC or an offset: 2025-07-11T10:00:00-04:00 for America/New_York",
    ]
