"""Messages name a unit as it stands on the day, from every units file: the two-tier tree since July 2025."""

import datetime as dt

from notify import rendering


def test_a_commune_is_named_as_it_stands_on_the_day():
    assert rendering._unit_name("31684", on=dt.date(2024, 6, 10)) == "Thị trấn Mỹ Xuyên"
    assert rendering._unit_name("31684", on=dt.date(2026, 12, 6)) == "Phường Mỹ Xuyên"
    assert rendering._unit_name("92", on=dt.date(2026, 12, 6)) == "Thành phố Cần Thơ"


def test_an_unknown_code_stands_for_itself():
    assert rendering._unit_name("99999") == "99999" and rendering._unit_name(None) == ""
