"""Hot spots from a stream of visits and incidents crossing the rules' thresholds."""

import datetime as dt

from tiepdan_common.testing import identity_headers


def test_mass_visits_make_a_watched_then_an_active_hot_spot(handle, visit, client, officer, checked_events):
    start = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    handle(visit(size=6, at=start))
    assert client.get("/hotspots", headers=officer).json == []
    handle(visit(size=7, at=start + dt.timedelta(days=2)))
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "watching" and spot["mass_visits"] == 2 and spot["field"] == "land"
    assert len(spot["case_ids"]) == 1  # the visits joined one case, linked to the hot spot
    handle(visit(size=2, unit="31693", at=start + dt.timedelta(days=3)))  # elsewhere: no effect
    handle(visit(size=8, at=start + dt.timedelta(days=4)))
    (spot,) = client.get("/hotspots?status=open", headers=officer).json
    assert spot["status"] == "active" and spot["mass_visits"] == 3 and spot["citizens"] == 21
    events = checked_events("escalation.hotspot.detected")
    assert [e["data"]["status"] for e in events] == ["watching", "active"]
    assert events[1]["data"]["case_ids"] == spot["case_ids"]


def test_visits_outside_the_window_do_not_count(handle, visit, client, officer):
    start = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
    for days in (0, 8, 16):
        handle(visit(size=6, field="labour", at=start + dt.timedelta(days=days)))
    assert client.get("/hotspots", headers=officer).json == []


def test_many_small_visits_cross_the_citizen_threshold(handle, visit, client, officer, checked_events):
    start = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)
    for n in range(8):
        handle(visit(size=4, field="environment", at=start + dt.timedelta(hours=n)))
    (spot,) = client.get("/hotspots", headers=officer).json
    assert spot["status"] == "active" and spot["citizens"] == 32 and spot["rule"] == "30 công dân trong 7 ngày"
    assert len(checked_events("escalation.hotspot.detected")) == 1


def test_an_owner_is_set_and_the_hot_spot_defused_and_communes_see_only_theirs(handle, visit, client, officer):
    start = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    for days in (0, 1):
        handle(visit(size=6, at=start + dt.timedelta(days=days)))
    (spot,) = client.get("/hotspots", headers=officer).json
    resp = client.post(f"/hotspots/{spot['id']}", json={"owner": "TNMT"}, headers=officer)
    assert resp.status_code == 200 and resp.json["owner"] == "TNMT"
    other = identity_headers(subject="commune-31693", kind="commune", unit="31693", permissions=("hotspots:read",))
    assert client.get(f"/hotspots/{spot['id']}", headers=other).status_code == 404
    assert client.get("/hotspots", headers=other).json == []
    resp = client.post(f"/hotspots/{spot['id']}", json={"status": "defused", "note": "Đã đối thoại"}, headers=officer)
    assert resp.json["status"] == "defused"
    assert client.post(f"/hotspots/{spot['id']}", json={"owner": "X"}, headers=officer).status_code == 409


def test_one_open_hot_spot_per_place_even_if_two_replicas_race(db):
    from sqlalchemy.exc import IntegrityError

    from escalation.hotspot.models import Hotspot

    with db.session() as s:
        s.add(Hotspot(unit="31690", field_code="land", status="watching", rule="r"))
    try:
        with db.session() as s:
            s.add(Hotspot(unit="31690", field_code="land", status="active", rule="r"))
    except IntegrityError:
        pass
    else:
        raise AssertionError("a second open hot spot for the same place was accepted")
    with db.session() as s:
        s.add(Hotspot(unit="31690", field_code="land", status="defused", rule="r"))  # closed ones may repeat


def test_a_hot_spot_shows_its_trend_week_by_week(handle, visit, db, client, officer):
    from escalation.hotspot import service

    start = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    for days, size in ((0, 6), (8, 7), (9, 9), (15, 12)):
        handle(visit(size=size, field="compensation", at=start + dt.timedelta(days=days)))
    with db.session() as session:
        weeks = service.trend(
            db_session=session, unit="31690", field_code="compensation", at=start + dt.timedelta(days=21), weeks=4
        )
    # Windows end at start, +7, +14 and +21 days.
    assert [(w["mass_visits"], w["citizens"]) for w in weeks] == [(1, 6), (0, 0), (2, 16), (1, 12)]
    (spot,) = client.get("/hotspots", headers=officer).json
    assert len(spot["trend"]) == 4 and set(spot["trend"][0]) == {"until", "mass_visits", "citizens", "incidents"}


def test_a_batch_of_visits_has_the_effect_of_each_visit_handled_alone(settings, db, visit, outbox_events):
    """The same stream, visit by visit in commune 31690 and as one batch in commune 31693: the same hot spots,
    announcements and cases, including times out of order, equal times, a repeated visit and a window edge."""
    import random

    from sqlalchemy import select

    from escalation.app import consumers
    from escalation.case.models import Case
    from escalation.hotspot.models import Hotspot

    consumer = consumers(settings)[0]
    rng = random.Random(7)
    start = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)
    stream = []
    for n in range(60):
        at = start + dt.timedelta(hours=rng.choice([0, 6, 30, 70, 150, 170, 200, 260, 400]) + n * 3)
        stream.append(
            {
                "size": rng.choice([1, 2, 3, 6, 9, 14]),
                "field": rng.choice(["land", "environment"]),
                "at": at,
                "visit_id": f"v{n}",
            }
        )
    stream.insert(20, dict(stream[5]))  # intake announced the same visit twice

    def event(item, unit):
        return visit(
            size=item["size"], unit=unit, field=item["field"], at=item["at"], visit_id=f"{unit}-{item['visit_id']}"
        )

    for item in stream:
        with db.session() as session:
            consumer.handlers["intake.visit.recorded"](session, event(item, "31690"))
    with db.session() as session:
        consumer.batch_handlers["intake.visit.recorded"](session, [event(item, "31693") for item in stream])

    def seen(unit):
        with db.session() as session:
            spots = sorted(
                (h.field_code, h.status, h.rule, h.mass_visits, h.citizens, h.detected_at)
                for h in session.scalars(select(Hotspot).where(Hotspot.unit == unit))
            )
            cases = sorted(
                (c.field_code, c.status, c.group_size) for c in session.scalars(select(Case).where(Case.unit == unit))
            )
        told = [
            (
                e["data"]["field"],
                e["data"]["status"],
                e["data"]["mass_visits"],
                e["data"]["citizens"],
                e["data"]["detected_at"],
                len(e["data"]["case_ids"]),
            )
            for e in outbox_events("escalation.hotspot.detected")
            if e["data"]["unit"] == unit
        ]
        return spots, cases, told

    alone, together = seen("31690"), seen("31693")
    assert alone[0] and alone[1] and len(alone[2]) >= 2  # the stream does make hot spots and cases
    assert any(linked for *_, linked in alone[2])  # and announces hot spots with their cases
    assert together == alone
