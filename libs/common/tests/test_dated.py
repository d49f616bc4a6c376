"""The version of a dated thing in force on a day."""

import datetime as dt

from tiepdan_common.dated import version_on

TOWN = {"name": "Thị trấn Mỹ Xuyên", "valid_from": "2024-01-01", "valid_to": "2025-06-30"}
WARD = {"name": "Phường Mỹ Xuyên", "valid_from": "2025-07-01", "valid_to": None}


def test_the_version_in_force_that_day():
    assert version_on([WARD, TOWN], dt.date(2025, 6, 30)) is TOWN
    assert version_on([WARD, TOWN], dt.date(2025, 7, 1)) is WARD


def test_an_ended_thing_keeps_its_last_version_and_a_day_before_all_takes_the_first():
    assert version_on([TOWN], dt.date(2026, 12, 6)) is TOWN
    assert version_on([WARD, TOWN], dt.date(2020, 1, 1)) is TOWN
    assert version_on([], dt.date(2026, 1, 1)) is None
