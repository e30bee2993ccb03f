"""Time formatting for pages and files: ISO for machines, the site's zone for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# The times a status page can mean: far enough either side that no window, no day of uptime
# and no zone's offset runs off the calendar Python can count (years 1 to 9999).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def in_range(t: datetime) -> bool:
    return EARLIEST <= t < LATEST


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def iso_utc(t: datetime) -> str:
    """`2026-02-10T14:32:00Z`: the form for `<time datetime>` and sitemaps."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(t: datetime) -> str:
    """`2026-02-10T14:32:00.000Z`: the Statuspage API form."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def local(t: datetime, tz: str) -> datetime:
    return t.astimezone(zone(tz))


# Month and weekday names are spelt out here: strftime would follow the machine's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def short_day(day: date) -> str:
    """`10 Feb`."""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def human_time(t: datetime, tz: str) -> str:
    """`10 Feb 2026, 14:32 UTC` in the site's zone."""
    lt = local(t, tz)
    return f"{short_day(lt)} {lt.year}, {lt:%H:%M} {zone_abbrev(lt)}"


def clock(t: datetime, tz: str) -> str:
    """`14:32 UTC`."""
    lt = local(t, tz)
    return f"{lt:%H:%M} {zone_abbrev(lt)}"


def clock_zone(t: datetime, tz: str) -> str:
    """`14:32 (UTC)`: a promised time, with the zone set apart so it is not misread."""
    lt = local(t, tz)
    return f"{lt:%H:%M} ({zone_abbrev(lt)})"


def human_date(t: datetime, tz: str) -> str:
    lt = local(t, tz)
    return f"{lt.day} {MONTHS[lt.month - 1]} {lt.year}"


def month_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def zone_abbrev(lt: datetime) -> str:
    name = lt.tzname() or ""
    return name if name and name[0] not in "+-" else f"UTC{name}"


def human_duration(d: timedelta) -> str:
    """`2 h 15 min`, `45 min`, `3 d 4 h`."""
    minutes = int(d.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{mins} min" if mins and not days else "",
    ]
    return " ".join(p for p in parts if p) or "under 1 min"
