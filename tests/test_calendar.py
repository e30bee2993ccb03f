"""`maintenance.ics`: RFC 5545 as calendar programs read it, parsed with `icalendar`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
from builds import build_at
from conftest import update

from heliograph.render.calendar import fold, window_sequence

T = [datetime(2026, 3, d, 6, tzinfo=UTC) for d in range(1, 6)]


def events(site: Path) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return list(cal.walk("VEVENT"))


def test_example_calendar_lists_every_maintenance_in_utc(example_site: Path):
    found = {str(e["SUMMARY"]): e for e in events(example_site)}
    assert list(found) == ["CDN provider migration", "Primary database upgrade"]
    cdn = found["CDN provider migration"]
    assert cdn.decoded("DTSTART") == datetime(2026, 12, 2, 5, tzinfo=UTC)
    assert cdn.decoded("DTEND") == datetime(2026, 12, 2, 7, tzinfo=UTC)
    assert cdn.decoded("DTSTAMP") == datetime(2026, 11, 20, 16, tzinfo=UTC)
    assert (
        str(cdn["URL"])
        == "https://status.acme.example/incidents/2026-12-02-cdn-provider-migration/"
    )
    assert int(cdn["SEQUENCE"]) == 0
    assert str(cdn["UID"]).endswith("@status.acme.example")
    assert "new CDN" in str(cdn["DESCRIPTION"])
    assert len({str(e["UID"]) for e in found.values()}) == 2


def test_lines_end_in_crlf_and_fold_at_75_octets(example_site: Path):
    raw = (example_site / "maintenance.ics").read_bytes()
    assert raw.endswith(b"END:VCALENDAR\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded


def test_folding_never_splits_a_character_and_unfolds_to_the_original():
    line = "SUMMARY:" + "Wartung der Datenbank für Zürich ✓ " * 6
    folded = fold(line).encode("utf-8")
    assert all(len(piece) <= 75 for piece in folded.split(b"\r\n"))
    assert folded.decode("utf-8").replace("\r\n ", "") == line


def maintenance(title: str = "DB; upgrade, part 1", **window: str) -> dict[str, str]:
    first = {"scheduled_for": "2026-03-10T06:00:00Z", "scheduled_until": "2026-03-10T08:00:00Z"}
    return {
        "incidents/2026-03-10-db/01-scheduled.md": update(
            "2026-03-01T10:00:00Z",
            "scheduled",
            "We will upgrade the database.",
            kind="maintenance",
            title=title,
            components={"api": "under_maintenance"},
            **{**first, **window},
        )
    }


def test_text_is_escaped_and_uids_are_stable_across_builds(make_site):
    source = make_site(maintenance())
    early = build_at(source, datetime(2026, 3, 2, tzinfo=UTC), "a")
    late = build_at(source, datetime(2026, 4, 1, tzinfo=UTC), "b")
    [one], [two] = events(early), events(late)
    assert str(one["SUMMARY"]) == "DB; upgrade, part 1"
    assert b"SUMMARY:DB\\; upgrade\\, part 1\r\n" in (early / "maintenance.ics").read_bytes()
    assert str(one["UID"]) == str(two["UID"])
    assert (early / "maintenance.ics").read_bytes() == (late / "maintenance.ics").read_bytes()


def test_incidents_are_not_in_the_calendar(make_site):
    files = {
        "incidents/2026-03-01-x/01.md": update(
            "2026-03-01T10:00:00Z",
            "investigating",
            title="Outage",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    }
    assert events(build_at(make_site(files), datetime(2026, 3, 2, tzinfo=UTC))) == []


def test_sequence_counts_the_updates_that_moved_the_window():
    assert window_sequence([(T[0], T[1])]) == 0
    assert window_sequence([(T[0], T[1]), (None, None), (T[0], T[1])]) == 0  # restated
    assert window_sequence([(T[0], T[1]), (T[2], T[3]), (None, None)]) == 1
    assert window_sequence([(T[0], T[1]), (None, T[2]), (T[1], None)]) == 2  # each end alone
    assert window_sequence([(T[0], T[1]), (T[2], T[3]), (T[0], T[1])]) == 2  # moved back


def test_a_moved_window_bumps_sequence_and_keeps_the_uid(make_site):
    source = make_site(maintenance())
    before = events(build_at(source, datetime(2026, 3, 2, tzinfo=UTC), "before"))[0]
    (source / "incidents/2026-03-10-db/02-moved.md").write_text(
        update(
            "2026-03-05T09:00:00Z",
            "scheduled",
            "Moved by a day.",
            scheduled_for="2026-03-11T06:00:00Z",
            scheduled_until="2026-03-11T08:00:00Z",
        )
    )
    (source / "incidents/2026-03-10-db/03-note.md").write_text(
        update("2026-03-06T09:00:00Z", "scheduled", "Still on for the new date.")
    )
    [after] = events(build_at(source, datetime(2026, 3, 7, tzinfo=UTC), "after"))
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART") == datetime(2026, 3, 11, 6, tzinfo=UTC)
    assert after.decoded("DTSTAMP") == datetime(2026, 3, 6, 9, tzinfo=UTC)
