"""The working-day calendar: days off, make-up Saturdays, and the years the data covers."""

import datetime as dt
import pathlib

import pytest

from tiepdan_common.calendar import Calendar, CalendarRangeError

REFERENCE = pathlib.Path(__file__).resolve().parents[3] / "reference" / "holidays-vn.json"
D = dt.date


@pytest.fixture(scope="module")
def vn() -> Calendar:
    """The calendar from the repository's reference file."""
    return Calendar.load(REFERENCE)


def test_reference_years_and_sources(vn):
    assert (vn.first_year, vn.last_year) == (2024, 2027)
    assert vn.year(2027).status == "provisional"
    assert all(e.source for e in (*vn.holidays, *vn.makeup_working_days))
    saturday = vn.entry(D(2025, 4, 26))
    assert saturday.in_exchange_for == D(2025, 5, 2) and "8726/VPCP-KGVX" in saturday.source


def test_reference_stays_readable_by_the_old_reader():
    """Intake's reader takes data["holidays"] entries with date and name."""
    import json

    rows = json.loads(REFERENCE.read_text(encoding="utf-8"))["holidays"]
    assert {"date", "name"} <= set(rows[0]) and D.fromisoformat(rows[0]["date"]).year == 2024


def test_weekends_holidays_and_makeup_saturdays(vn):
    assert vn.is_working_day(D(2025, 4, 25))  # Friday
    assert vn.is_working_day(D(2025, 4, 26))  # make-up Saturday
    assert not vn.is_working_day(D(2025, 4, 27))  # Sunday
    assert not vn.is_working_day(D(2025, 5, 2))  # the bridge day it paid for
    assert not vn.is_working_day(D(2024, 2, 12))  # Tết
    assert vn.is_working_day(D(2026, 1, 10)) and not vn.is_working_day(D(2026, 1, 2))


def test_makeup_saturday_inside_a_span_counts(vn):
    # Thu 24/4/2025 + 2 working days: Fri 25, Sat 26 (make-up). A plain weekend count would say Mon 28.
    assert vn.add_working_days(D(2025, 4, 24), 2) == D(2025, 4, 26)
    # 24/4 -> 9/5/2025: 25, 26 (Sat), 28, 29, [30/4, 1/5, 2/5 off], 5, 6, 7, 8, 9 = 9
    assert vn.working_days_between(D(2025, 4, 24), D(2025, 5, 9)) == 9
    assert vn.add_working_days(D(2025, 4, 24), 9) == D(2025, 5, 9)
    assert vn.days_off(D(2025, 4, 24), D(2025, 5, 9)) == {D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2)}
    assert vn.makeup_days(D(2025, 4, 1), D(2025, 4, 30)) == {D(2025, 4, 26)}


def test_counts_round_trip_and_go_backwards(vn):
    start = D(2026, 2, 10)
    for n in range(30):
        assert vn.working_days_between(start, vn.add_working_days(start, n)) == n
    assert vn.add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)  # back across Tết Bính Ngọ
    assert vn.working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1


def test_beyond_the_last_known_year_raises(vn):
    with pytest.raises(CalendarRangeError):
        vn.is_working_day(D(2028, 1, 3))
    with pytest.raises(CalendarRangeError):
        vn.add_working_days(D(2027, 12, 28), 5)  # walks into 2028
    with pytest.raises(CalendarRangeError):
        vn.days_off(D(2023, 12, 1), D(2024, 1, 31))
    assert isinstance(CalendarRangeError("x"), ValueError)


def test_old_shape_without_years_covers_the_years_of_its_entries():
    cal = Calendar.from_json({"holidays": [{"date": "2030-09-02", "name": "Quốc khánh"}]})
    assert (cal.first_year, cal.last_year) == (2030, 2030)
    assert not cal.is_working_day(D(2030, 9, 2))
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(2031, 1, 2))


@pytest.mark.parametrize(
    "data",
    [
        {"years": [{"year": 2024}, {"year": 2026}], "holidays": []},
        {"years": [{"year": 2024}], "holidays": [{"date": "2025-01-01", "name": "x"}]},
        {
            "years": [{"year": 2024}],
            "holidays": [{"date": "2024-05-04", "name": "x"}],
            "makeup_working_days": [{"date": "2024-05-04", "name": "y"}],
        },
        {"holidays": []},
    ],
)
def test_inconsistent_data_is_refused(data):
    with pytest.raises(ValueError):
        Calendar.from_json(data)
