from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.dates import (
    DateError,
    PartialDate,
    format_day,
    format_partial,
    parse_moment,
    parse_partial,
)


@pytest.mark.parametrize(("raw", "iso", "precision"), [
    (2023, "2023", "year"),
    ("2023", "2023", "year"),
    ("2023-09", "2023-09", "month"),
    (dt.date(2023, 9, 12), "2023-09-12", "day"),
    ("2023-09-12", "2023-09-12", "day"),
])
def test_partial_dates(raw: object, iso: str, precision: str) -> None:
    value = parse_partial(raw)
    assert value.iso() == iso
    assert value.precision == precision


@pytest.mark.parametrize("raw", ["2023-13", "2023-02-30", "September 2023", 99, True, None])
def test_bad_partial_dates(raw: object) -> None:
    with pytest.raises(DateError):
        parse_partial(raw)


def test_partial_dates_sort_at_the_start_of_their_period() -> None:
    dates = [parse_partial("2023-09-12"), parse_partial(2023), parse_partial("2023-09"),
             parse_partial("2022-12-31")]
    assert [d.iso() for d in sorted(dates)] == ["2022-12-31", "2023", "2023-09", "2023-09-12"]


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_partial_round_trip(day: dt.date) -> None:
    for text in (day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]):
        assert parse_partial(text).iso() == text
        assert parse_partial(text).start <= day


def test_display_with_precision_in_each_language() -> None:
    assert format_partial(parse_partial("2023-09"), "en") == "September 2023"
    assert format_partial(parse_partial("2023-09"), "fr") == "septembre 2023"
    assert format_partial(parse_partial(2023), "de") == "2023"
    assert format_day(dt.date(2024, 2, 26), "fr") == "26 février 2024"
    assert format_day(dt.date(2024, 2, 26), "de") == "26. Februar 2024"
    assert format_day(dt.date(2024, 2, 26), "it") == "26 febbraio 2024"


def test_moments_need_a_time_zone() -> None:
    assert parse_moment("2024-02-26") == dt.date(2024, 2, 26)
    aware = parse_moment("2024-02-26T10:00:00Z")
    assert isinstance(aware, dt.datetime) and aware.utcoffset() == dt.timedelta(0)
    with pytest.raises(DateError, match="no time zone"):
        parse_moment(dt.datetime(2024, 2, 26, 10))
    with pytest.raises(DateError):
        parse_moment("26/02/2024")


def test_partial_date_value_object() -> None:
    assert PartialDate(2024, 2, 1, "month").start == dt.date(2024, 2, 1)
    assert PartialDate(2023, precision="year") < PartialDate(2023, 1, 2)
