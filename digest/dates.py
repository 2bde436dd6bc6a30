"""Dates as the digest uses them: full or partial, sortable, shown with their precision.

An event may be known only to the year (`2023`) or the month (`2023-09`); it sorts at
the start of its period and displays as "2023" or "September 2023". An article's date
is a day, or an ISO 8601 moment with a time zone: a naive time is ambiguous across
the digest's readers, so it is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


class DateError(ValueError):
    """A date value that is not one of the accepted forms."""


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A calendar date known to the year, month or day. Orders by its first day."""

    year: int
    month: int = 1
    day: int = 1
    precision: str = "day"  # "year" | "month" | "day"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        """At the start of its period; on the same first day, the whole year, then the
        month, then the day, so a timeline never repeats a month heading."""
        return (self.start, _PRECISION_RANK[self.precision])

    def iso(self) -> str:
        if self.precision == "year":
            return f"{self.year:04d}"
        if self.precision == "month":
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day, "day")


def parse_partial(value: object) -> PartialDate:
    """`2023`, `"2023-09"`, `2023-09-12` (as YAML gives them) -> PartialDate."""
    if isinstance(value, dt.datetime):
        return PartialDate.from_date(value.date())
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return PartialDate(value, precision="year")
    if isinstance(value, str):
        match = _PARTIAL.match(value.strip())
        if match:
            year, month, day = match.groups()
            if int(year) < 1:
                raise DateError(f'"{value}" has no year 0; write a year from 1 on')
            try:
                if day:
                    dt.date(int(year), int(month), int(day))
                    return PartialDate(int(year), int(month), int(day), "day")
                if month:
                    dt.date(int(year), int(month), 1)
                    return PartialDate(int(year), int(month), 1, "month")
                return PartialDate(int(year), precision="year")
            except ValueError as exc:
                raise DateError(f'"{value}" is not a real date ({exc})') from None
    raise DateError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")


def parse_moment(value: object) -> dt.date | dt.datetime:
    """An article date: YYYY-MM-DD, or ISO 8601 with a time zone.

    Returns a date, or an aware datetime. Raises DateError for anything else.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise DateError(
                f'"{value.isoformat()}" has a time but no time zone; '
                'add one (e.g. "+01:00" or "Z") or give only the day'
            )
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise DateError(
                f'expected a date as YYYY-MM-DD or ISO 8601 with a time zone, got "{text}"'
            ) from None
        return parse_moment(moment)
    raise DateError(f"expected a date as YYYY-MM-DD, got {value!r}")


def day_of(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def as_utc(value: dt.date | dt.datetime) -> dt.datetime:
    """A moment for feeds and sorting: a bare day is taken as midnight UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


@lru_cache(maxsize=32)
def locale_for(lang: str) -> Locale:
    """Babel's locale for a BCP 47 tag ("en-GB" -> en_GB); English when unknown."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


# Dates are formatted by the thousand on a site's pages (every card, every timeline
# entry) and Babel takes ~25 µs each: the formatting functions remember their answers.
FORMATTED_DATES = 16_384


def format_day(value: dt.date | dt.datetime, lang: str, form: str = "long") -> str:
    """26 February 2024 / 26 février 2024 / 26. Februar 2024."""
    return _format_day(day_of(value), lang, form)


@lru_cache(maxsize=FORMATTED_DATES)
def _format_day(day: dt.date, lang: str, form: str) -> str:
    return str(format_date(day, format=form, locale=locale_for(lang)))


@lru_cache(maxsize=FORMATTED_DATES)
def format_partial(value: PartialDate, lang: str) -> str:
    """Shown with its precision: "2023", "September 2023", "12 September 2023"."""
    locale = locale_for(lang)
    if value.precision == "year":
        return str(value.year)
    if value.precision == "month":
        return str(format_skeleton("yMMMM", value.start, locale=locale))
    return str(format_date(value.start, format="long", locale=locale))


@lru_cache(maxsize=FORMATTED_DATES)
def format_month(year: int, month: int, lang: str) -> str:
    """Standalone month name for a timeline heading: "February 2024", "février 2024"."""
    return str(format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale_for(lang)))
