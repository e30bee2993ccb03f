"""Status derivation: component status at a moment, the overall banner, maintenance phases."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import update

from heliograph.content.load import load
from heliograph.content.model import ComponentStatus, IncidentStatus, MaintenanceStatus
from heliograph.state import derive

NOW = datetime(2026, 3, 1, tzinfo=UTC)
OP = ComponentStatus.OPERATIONAL


def t(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-02-10T{hhmm}:00+00:00")


def two_incidents(make_site):
    root = make_site(
        {
            "incidents/a/01.md": update(
                "2026-02-10T14:00:00Z",
                "investigating",
                title="A",
                severity="SEV-2",
                components={"api": "partial_outage"},
            ),
            "incidents/a/02.md": update(
                "2026-02-10T14:30:00Z", "identified", components={"web": "degraded_performance"}
            ),
            "incidents/a/03.md": update("2026-02-10T15:00:00Z", "resolved"),
            "incidents/b/01.md": update(
                "2026-02-10T14:10:00Z",
                "investigating",
                title="B",
                severity="SEV-1",
                components={"api": "major_outage"},
            ),
            "incidents/b/02.md": update(
                "2026-02-10T14:40:00Z", "monitoring", components={"api": "operational"}
            ),
        }
    )
    content, errors = load(root, NOW)
    assert errors == []
    return content


def test_component_status_is_the_worst_of_open_incidents(make_site):
    content = two_incidents(make_site)
    at = lambda hhmm: derive.component_statuses(content, t(hhmm))  # noqa: E731
    assert at("13:59") == {"api": OP, "web": OP, "login": OP}
    assert at("14:05")["api"] is ComponentStatus.PARTIAL_OUTAGE
    assert at("14:15")["api"] is ComponentStatus.MAJOR_OUTAGE
    assert at("14:35") == {
        "api": ComponentStatus.MAJOR_OUTAGE,
        "web": ComponentStatus.DEGRADED_PERFORMANCE,
        "login": OP,
    }
    # b says api is operational again while a still holds it at partial outage
    assert at("14:45")["api"] is ComponentStatus.PARTIAL_OUTAGE
    assert at("15:00") == {"api": OP, "web": OP, "login": OP}  # a resolved; b reports api fine


def test_overall_banner_follows_the_worst_component_and_open_incident(make_site):
    content = two_incidents(make_site)
    banner = lambda hhmm: derive.overall(content, t(hhmm))  # noqa: E731
    assert banner("13:00").description == "All Systems Operational"
    assert banner("14:05").description == "Partial System Outage"
    assert banner("14:15").description == "Major System Outage"
    assert banner("14:15").indicator == "critical"
    # b, a SEV-1, is still open while it is monitored, though it calls api operational again
    assert derive.component_statuses(content, t("15:00")) == {"api": OP, "web": OP, "login": OP}
    assert (banner("15:00").indicator, banner("15:00").worst) == (
        "critical",
        ComponentStatus.MAJOR_OUTAGE,
    )


def test_severity_in_force_follows_escalation(make_site):
    root = make_site(
        {
            "incidents/a/01.md": update(
                "2026-02-10T14:00:00Z",
                "investigating",
                title="A",
                severity="SEV-2",
                components={"api": "partial_outage"},
            ),
            "incidents/a/02.md": update("2026-02-10T14:20:00Z", "investigating", severity="SEV-1"),
        }
    )
    (incident,) = load(root, NOW)[0].incidents
    assert derive.severity_at(incident, t("14:10")) == "SEV-2"
    assert derive.severity_at(incident, t("14:20")) == "SEV-1"
    assert derive.phase(incident, t("14:30")) is IncidentStatus.INVESTIGATING


def test_maintenance_phase_follows_the_clock_when_nobody_posts(make_site):
    root = make_site(
        {
            "incidents/m/01.md": update(
                "2026-02-09T10:00:00Z",
                "scheduled",
                kind="maintenance",
                title="Upgrade",
                components={"api": "under_maintenance"},
                scheduled_for="2026-02-10T14:00:00Z",
                scheduled_until="2026-02-10T15:00:00Z",
            )
        }
    )
    content = load(root, NOW)[0]
    (m,) = content.incidents
    assert derive.phase(m, t("13:59")) is MaintenanceStatus.SCHEDULED
    assert derive.phase(m, t("14:00")) is MaintenanceStatus.IN_PROGRESS
    assert (
        derive.component_statuses(content, t("14:30"))["api"] is ComponentStatus.UNDER_MAINTENANCE
    )
    assert derive.overall(content, t("14:30")).description == "Service Under Maintenance"
    assert derive.phase(m, t("15:00")) is MaintenanceStatus.COMPLETED
    assert derive.component_statuses(content, t("15:00"))["api"] is OP
