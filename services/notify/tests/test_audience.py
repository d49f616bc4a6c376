"""Rules choose audiences: on duty, agencies, the leader, police, communes, the province; roster may be down."""

import datetime as dt

from sqlalchemy import func, select

from notify.audience.models import Contact
from notify.delivery.models import Delivery
from notify.inbox.models import InboxMessage


def messages(query, **where):
    stmt = select(InboxMessage)
    for key, value in where.items():
        stmt = stmt.where(getattr(InboxMessage, key) == value)
    return query(stmt.order_by(InboxMessage.recipient))


def recipients(query, event):
    return sorted(m.recipient for m in messages(query, event_id=event.id))


def test_an_escalated_case_reaches_its_target_agency(handle, make_event, static_roster, make_person, query):
    roster = static_roster(
        ["btcd-01"],
        agencies={"TTR": [make_person("ttr-01", "TTR", "inspector"), make_person("ttr-02", "TTR", "inspector")]},
    )
    event = make_event("escalation.case.escalated")
    handle(event, roster)
    told = messages(query, event_id=event.id)
    assert [m.recipient for m in told] == ["ttr-01", "ttr-02"]
    assert all(m.urgent and m.title.startswith("[KHẨN] Chuyển cấp vụ việc VV-2026-0007 (bước 2/3)") for m in told)
    assert "Xã Đại Tâm" in told[0].body and "Đất đai" in told[0].body  # names from the reference data
    assert told[0].title_en.startswith("[URGENT] Case VV-2026-0007 escalated")


def test_escalation_targets_of_every_kind(handle, make_event, static_roster, make_person, query):
    roster = static_roster(
        [make_person("btcd-01"), make_person("ca-01", "CA", "police")],
        leader="ld-01",
        agencies={"UBND-31690": [make_person("dt-01", "UBND-31690", "commune")]},
    )
    expected = {
        ("leader_on_call", None): ["ld-01"],
        ("police", None): ["ca-01", "system:police"],
        ("commune", "31690"): ["dt-01", "system:commune:31690"],
        ("on_duty_role", "lead"): ["btcd-01"],
        ("province", None): ["system:province"],
        ("agency", None): [],  # an agency target must name the agency
        ("on_duty_role", None): ["btcd-01", "ca-01"],  # no role named: everyone on duty
        # BTCD and TTR have no officers in this roster: the fallback list stands in for them.
        ("distribution_list", "plan"): [
            "btcd-01",
            "btcd-02",
            "ca-01",
            "dt-01",
            "ld-01",
            "system:commune:31690",
            "system:police",
        ],
    }
    for (kind, value), who in expected.items():
        event = make_event("escalation.case.escalated", target={"type": kind, "value": value})
        handle(event, roster)
        assert recipients(query, event) == who, kind


def test_a_serious_public_order_case_reaches_duty_leader_and_police(
    handle, make_event, static_roster, make_person, query
):
    roster = static_roster(
        [make_person("btcd-01"), make_person("ttr-01", "TTR", "inspector"), make_person("ca-01", "CA", "police")],
        leader="ld-01",
    )
    event = make_event("escalation.case.opened", severity="critical", public_order=True)
    handle(event, roster)
    assert recipients(query, event) == ["btcd-01", "ca-01", "ld-01", "system:police", "ttr-01"]
    # ca-01 is on duty and police: told once, by the first rule that named them.
    assert query(select(func.count()).select_from(InboxMessage).where(InboxMessage.recipient == "ca-01")) == [1]


def test_other_events_find_their_people(handle, make_event, static_roster, make_person, query):
    roster = static_roster(
        [make_person("btcd-01"), make_person("ttr-01", "TTR", "inspector")],
        leader="ld-01",
        agencies={
            "LD-UBND": [make_person("ld-01", "LD-UBND", "leader"), make_person("ld-02", "LD-UBND", "leader")],
            "BTCD": [make_person("btcd-01"), make_person("btcd-02")],
            "UBND-31708": [make_person("tp-01", "UBND-31708", "commune")],
        },
    )
    cases = {
        "escalation.daily_summary.ready": ["ld-01", "ld-02"],
        "roster.coverage.gap": ["btcd-01"],  # the board (an agency audience): whoever of it is on duty now
        "roster.shift.starting": ["btcd-03", "ttr-03"],
        "escalation.province_request.received": ["btcd-01", "ld-01", "system:commune:31708", "tp-01", "ttr-01"],
        "escalation.province_request.completed": ["system:province"],
        "escalation.hotspot.detected": ["btcd-01", "ld-01", "system:commune:31693", "system:police"],
        "intake.petition.overdue": ["btcd-01", "system:commune:31690"],
    }
    for event_type, who in cases.items():
        event = make_event(event_type)
        handle(event, roster)
        assert recipients(query, event) == who, event_type
    summary = messages(query, event_type="escalation.daily_summary.ready", recipient="ld-02")[0]
    assert summary.title == "Báo cáo tình hình tiếp công dân ngày 26/11/2026"
    assert "Xã Tham Đôn: 3 đoàn đông người" in summary.body
    channels = sorted(d.channel for d in query(select(Delivery).where(Delivery.message_id == summary.id)))
    assert channels == ["email", "inbox"]  # the daily summary goes by email and inbox at once


def test_a_watched_hotspot_does_not_page_the_leader(handle, make_event, static_roster, query):
    event = make_event("escalation.hotspot.detected", status="watching")
    handle(event, static_roster(["btcd-01"], leader="ld-01"))
    assert recipients(query, event) == ["btcd-01", "system:commune:31693"]  # no leader, no police
    defused = make_event("escalation.hotspot.detected", status="defused")
    handle(defused, static_roster(["btcd-01"], leader="ld-01"))
    assert recipients(query, defused) == []


def test_roster_down_while_a_case_opens_tells_the_fallback_and_remembered_shifts(
    handle, make_event, static_roster, make_person, query, clock
):
    roster = static_roster([make_person("ttr-01", "TTR", "inspector")], leader="ld-01")
    handle(make_event("escalation.case.opened"), roster)  # roster answers: notify remembers
    assert query(select(Contact.code).order_by(Contact.code)) == ["ld-01", "ttr-01"]

    roster.down = True
    event = make_event("escalation.case.opened", severity="high")
    handle(event, roster)
    told = messages(query, event_id=event.id)
    # The fallback list, plus the on-duty officer and leader remembered whose shift has not ended.
    assert [m.recipient for m in told] == ["btcd-01", "btcd-02", "ld-01", "ttr-01"]
    assert all(m.via_fallback for m in told)
    assert roster.calls[-1] == ("on-duty", None) and len(roster.calls) == 2  # asked once, not per rule
    sms = query(
        select(Delivery).where(
            Delivery.recipient == "ttr-01", Delivery.channel == "sms", Delivery.message_id == told[3].id
        )
    )
    assert sms[0].address == "+84299000001"  # the contact was remembered from the answer before

    clock.advance(hours=9)  # the remembered shift has ended: only the fallback list
    late = make_event("escalation.case.opened")
    handle(late, roster)
    assert recipients(query, late) == ["btcd-01", "btcd-02"]


def test_a_database_nobody_seeded_still_tells_the_on_duty_officers(db, handle, make_event, static_roster, query):
    from sqlalchemy import delete

    from notify.rules.models import Rule

    with db.session() as session:
        session.execute(delete(Rule))
    event = make_event("escalation.case.opened")
    handle(event, static_roster(["btcd-03"]))
    assert recipients(query, event) == ["btcd-03"]
    assert "case-opened" in query(select(Rule.name))


def test_two_transactions_remembering_the_same_new_officer_both_commit(db):
    """The consumer and the contact task race on a new officer: the second waits, then takes the first's row."""
    import threading

    from notify.audience.contacts import remember_contacts
    from notify.audience.models import Contact

    now = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)
    first = db.sessionmaker()
    remember_contacts(first, [{"code": "new-01", "full_name": "Lê Văn Mới", "agency": "TTRA"}], now)
    first.flush()  # holds the new key, uncommitted
    errors = []

    def second():
        try:
            with db.session() as session:
                remember_contacts(
                    session,
                    [
                        {
                            "code": "new-01",
                            "full_name": "Lê Văn Mới",
                            "agency": "TTRA",
                            "channels": [{"type": "sms", "address": "+84900000001"}],
                        }
                    ],
                    now,
                )
        except Exception as exc:
            errors.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(0.5)  # on PostgreSQL it waits for the first transaction's key; on SQLite for its write lock
    first.commit()
    first.close()
    racer.join(30)
    assert errors == []
    with db.session() as session:
        contact = session.get(Contact, "new-01")
        assert contact.full_name == "Lê Văn Mới" and contact.channels == [{"type": "sms", "address": "+84900000001"}]


def titled(make_person, code, agency, title, **kwargs):
    return {**make_person(code, agency, "department", **kwargs), "title": title}


def test_an_agency_audience_is_who_is_on_duty_for_it_else_its_head(
    handle, make_event, static_roster, make_person, query
):
    tnmt = [
        titled(make_person, "tnmt-01", "TNMT", ""),
        titled(make_person, "tnmt-02", "TNMT", "Chuyên viên"),
        titled(make_person, "tp-tnmt", "TNMT", "Trưởng phòng Tài nguyên và Môi trường"),
        titled(make_person, "pp-tnmt", "TNMT", "Phó Trưởng phòng Tài nguyên và Môi trường"),
    ]
    target = {"type": "agency", "value": "TNMT"}
    # tnmt-02 is on the board's duty roster now, lent by TNMT: the department's person on duty is told.
    on_duty = static_roster(
        [make_person("btcd-01"), make_person("tnmt-02", "TNMT", "department")], agencies={"TNMT": tnmt}
    )
    event = make_event("escalation.case.escalated", target=target)
    handle(event, on_duty)
    assert recipients(query, event) == ["tnmt-02"]
    # Asked once for everyone on duty with the on-call officers, filtered here by agency.
    assert ("on-duty", "with_on_call") in on_duty.calls
    assert not any(len(call) == 3 for call in on_duty.calls) and ("officers", None) in on_duty.calls
    # Nobody of TNMT on duty: its head, never the deputy ("Phó Trưởng phòng").
    event = make_event("escalation.case.escalated", target=target)
    handle(event, static_roster([make_person("btcd-01")], agencies={"TNMT": tnmt}))
    assert recipients(query, event) == ["tp-tnmt"]
    # An agency whose head roster does not name: every member, as before.
    event = make_event("escalation.case.escalated", target=target)
    handle(event, static_roster([make_person("btcd-01")], agencies={"TNMT": tnmt[:2]}))
    assert recipients(query, event) == ["tnmt-01", "tnmt-02"]


def test_the_leader_on_call_is_on_duty_for_the_leadership_and_all_means_every_member(
    handle, make_event, static_roster, make_person, query
):
    leaders = [
        titled(make_person, "ld-01", "LD-UBND", "Chủ tịch UBND huyện"),
        titled(make_person, "ld-02", "LD-UBND", "Phó Chủ tịch UBND huyện"),
        titled(make_person, "ld-03", "LD-UBND", "Phó Chủ tịch UBND huyện"),
    ]
    roster = static_roster(
        [make_person("btcd-01")],
        leader=make_person("ld-03", "LD-UBND", "leader_on_call"),
        agencies={"LD-UBND": leaders},
    )
    event = make_event("escalation.case.escalated", target={"type": "agency", "value": "LD-UBND"})
    handle(event, roster)
    assert recipients(query, event) == ["ld-03"]  # the vice chair on call tonight, not the chair
    summary = make_event("escalation.daily_summary.ready")
    handle(summary, roster)
    assert recipients(query, summary) == ["ld-01", "ld-02", "ld-03"]  # the seeded rule says "all": every leader


def test_a_head_is_told_by_title_whatever_its_spelling(handle):
    from notify.audience.domain import is_head

    assert is_head("Chánh Thanh tra huyện") and is_head("  chủ tịch UBND xã Đại Tâm")
    assert is_head("Trưởng Công an huyện") and is_head("Giám đốc Trung tâm")
    assert not is_head("Phó Chủ tịch UBND huyện") and not is_head("") and not is_head(None)
    assert not is_head("Chuyên viên phòng Tư pháp")
