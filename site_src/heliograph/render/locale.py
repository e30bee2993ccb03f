"""The page language: the theme's message catalogs, and dates, numbers and durations in the
words of `site.language`. English keeps the generator's own formats (`content.timefmt`), so an
English site's pages are those it always had; every other language is formatted by Babel's
CLDR data, never by the machine's locale."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

from heliograph.content import timefmt
from heliograph.state.uptime import day_label, percent

if TYPE_CHECKING:
    from heliograph.render.theme import Theme

ENGLISH = "en"


def html_lang(language: str) -> str:
    """`pt_BR` as a BCP 47 tag for `<html lang>`: `pt-BR`."""
    return language.replace("_", "-")


def translations(theme: Theme, language: str) -> gettext.NullTranslations:
    """The theme's compiled catalog of `language`; a string it lacks is shown in English (the
    message id), never as a key. English, or a language without a catalog, is English."""
    data = dict(theme.catalogs).get(language)
    if data is None:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(data))


class Formats:
    """The filters that put a moment, a day, a share or a length of time into words."""

    def __init__(self, language: str, tz: str, under_a_minute: str) -> None:
        self.language, self.tz, self.under_a_minute = language, tz, under_a_minute
        self.english = language == ENGLISH

    def moment(self, t: datetime, style: str = "full") -> str:
        if self.english:
            return {
                "full": timefmt.human_time,
                "clock": timefmt.clock,
                "clock_zone": timefmt.clock_zone,
                "date": timefmt.human_date,
            }[style](t, self.tz)
        from babel import dates

        lt = timefmt.local(t, self.tz)
        zone = timefmt.zone_abbrev(lt)
        if style == "date":
            return dates.format_date(lt, "long", locale=self.language)
        clock = dates.format_time(lt, "HH:mm", locale=self.language)
        if style == "clock":
            return f"{clock} {zone}"
        if style == "clock_zone":
            return f"{clock} ({zone})"
        day = dates.format_skeleton("yMMMd", lt, locale=self.language)
        # the locale's own way to join a date and a time ("{1}, {0}", "{1} {0}")
        joined = str(dates.get_datetime_format("medium", locale=self.language))
        return f"{joined.replace('{1}', day).replace('{0}', clock)} {zone}"

    def day(self, d: date) -> str:
        if self.english:
            return day_label(d)
        from babel import dates

        return dates.format_date(d, "long", locale=self.language)

    def day_brief(self, d: date) -> str:
        """`13 Oct`: a day within the last few months, where the year goes without saying."""
        if self.english:
            return timefmt.short_day(d)
        from babel import dates

        return dates.format_skeleton("MMMd", d, locale=self.language)

    def month(self, year: int, month: int) -> str:
        return _month(self.language, year, month)

    def percent(self, uptime: Fraction) -> str:
        if self.english:
            return percent(uptime)
        from babel import numbers

        # rounded down as the English form is: 99.999% down time is never shown as 100%
        if uptime == 1:
            return numbers.format_percent(1, "#,##0%", locale=self.language)
        share = Decimal(int(uptime * 10000)) / 10000
        return numbers.format_percent(share, "#,##0.00%", locale=self.language)

    def duration(self, d: timedelta) -> str:
        if self.english:
            return timefmt.human_duration(d)
        from babel import units

        minutes = int(d.total_seconds() // 60)
        days, rest = divmod(minutes, 1440)
        hours, mins = divmod(rest, 60)
        parts = [
            units.format_unit(n, unit, length="short", locale=self.language)
            for n, unit in ((days, "duration-day"), (hours, "duration-hour"))
            if n
        ]
        if mins and not days:
            parts.append(
                units.format_unit(mins, "duration-minute", length="short", locale=self.language)
            )
        return " ".join(parts) or self.under_a_minute


@lru_cache(maxsize=512)
def _month(language: str, year: int, month: int) -> str:
    if language == ENGLISH:
        return timefmt.month_label(year, month)
    from babel import dates

    return dates.format_skeleton("yMMMM", date(year, month, 1), locale=language)
