"""Titles name a unit as it stood on the day: the two-tier tree's names after 1 July 2025."""

import datetime as dt
from pathlib import Path

from escalation import reference

REFERENCE = Path(__file__).resolve().parents[3] / "reference"


def test_a_commune_is_named_as_it_stood_on_the_day():
    assert reference.unit(REFERENCE, "31684", on=dt.date(2024, 6, 10))["name"] == "Thị trấn Mỹ Xuyên"
    assert reference.unit(REFERENCE, "31684", on=dt.date(2026, 12, 6))["name"] == "Phường Mỹ Xuyên"


def test_an_abolished_unit_keeps_its_last_name_and_an_unknown_code_stands_for_itself():
    assert reference.unit(REFERENCE, "947", on=dt.date(2026, 12, 6))["name"] == "Huyện Mỹ Xuyên"
    assert reference.unit(REFERENCE, "99999")["name"] == "99999"
