"""Messages name a unit as it stands on the day, from every units file: the two-tier tree since July 2025."""

import datetime as dt

from notify import rendering


def test_a_commune_is_named_as_it_stands_on_the_day():
    assert rendering._unit_name("31684", on=dt.date(2024, 6, 10)) == "Thị trấn Mỹ Xuyên"
    assert rendering._unit_name("31684", on=dt.date(2026, 12, 6)) == "Phường Mỹ Xuyên"
    assert rendering._unit_name("92", on=dt.date(2026, 12, 6)) == "Thành phố Cần Thơ"


def test_an_unknown_code_stands_for_itself():
    assert rendering._unit_name("99999") == "99999" and rendering._unit_name(None) == ""


def test_a_message_names_the_unit_as_it_stood_on_the_service_s_day(handle, make_event, static_roster, clock, query):
    """The day comes from the service's clock (a demo set in 2024 names 2024's units), not the machine's."""
    from sqlalchemy import select

    from notify.inbox.models import InboxMessage

    clock.set(dt.datetime(2024, 6, 10, 2, 0, tzinfo=dt.UTC))
    handle(make_event("escalation.hotspot.detected", unit="31684"), static_roster(["btcd-01"], leader="ld-01"))
    bodies = {m.title + m.body for m in query(select(InboxMessage))}
    assert bodies and all("Thị trấn Mỹ Xuyên" in text for text in bodies)
