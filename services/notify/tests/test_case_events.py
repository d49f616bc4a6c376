"""Escalation's newer events reach the right people: a case that changes, a stalled case, a province request's
updates (pushed to the province) and missed deadline, tasks, police updates."""

import json

from sqlalchemy import select

from notify.consumers import CASE_EVENTS, case_consumer
from notify.database import OutboxEvent
from notify.inbox.models import InboxMessage


def told(query, event):
    return {m.recipient: m for m in query(select(InboxMessage).where(InboxMessage.event_id == event.id))}


def roster_of(static_roster, make_person):
    return static_roster([make_person("btcd-01"), make_person("ca-01", "CA", "police")], leader="ld-01")


def test_a_crowd_that_grows_tells_the_desk_and_the_leader_on_call(
    handle, make_event, static_roster, make_person, query
):
    event = make_event("escalation.case.changed")  # 6 → 80 people, severity high, re-escalated
    handle(event, roster_of(static_roster, make_person))
    messages = told(query, event)
    assert sorted(messages) == ["btcd-01", "ld-01"]
    leader = messages["ld-01"]
    assert leader.urgent and leader.title == "[KHẨN] Vụ việc VV-2026-0007: số người tăng từ 6 lên 80"
    assert "Vụ việc được chuyển cấp lại theo quy trình xử lý." in leader.body and "Số người: 80." in leader.body
    assert leader.title_en == "[URGENT] Case VV-2026-0007: group grew from 6 to 80"
    assert leader.case_id == event.data["case_id"]


def test_a_case_flagged_for_public_order_reaches_the_police_and_their_endpoint(
    handle, make_event, static_roster, make_person, query
):
    event = make_event(
        "escalation.case.changed",
        severity="medium",
        public_order=True,
        changes=[{"kind": "public_order", "from": False, "to": True}],
    )
    handle(event, roster_of(static_roster, make_person))
    messages = told(query, event)
    assert sorted(messages) == ["btcd-01", "ca-01", "system:police"]
    assert messages["ca-01"].title == "[KHẨN] Vụ việc VV-2026-0007: có nguy cơ ảnh hưởng an ninh trật tự"


def test_a_stalled_case_reaches_the_leader_and_a_routine_change_only_the_desk(
    handle, make_event, static_roster, make_person, query
):
    roster = roster_of(static_roster, make_person)
    stalled = make_event(
        "escalation.case.changed", severity="medium", changes=[{"kind": "check_in_missed"}], re_escalated=True
    )
    handle(stalled, roster)
    assert sorted(told(query, stalled)) == ["btcd-01", "ld-01"]
    assert told(query, stalled)["ld-01"].title == "[KHẨN] Vụ việc VV-2026-0007: quá hạn báo cáo tiến độ xử lý"
    joined = make_event(
        "escalation.case.changed",
        severity="medium",
        re_escalated=False,
        changes=[{"kind": "visit_joined", "source": {"type": "visit", "id": "v-2"}}],
    )
    handle(joined, roster)
    assert sorted(told(query, joined)) == ["btcd-01"]
    assert not told(query, joined)["btcd-01"].urgent


def test_every_status_change_of_a_province_request_is_pushed_to_the_province(
    handle, make_event, static_roster, make_person, query, send_due, receiver, settings, configure, client
):
    from tiepdan_common.testing import identity_headers

    roster = roster_of(static_roster, make_person)
    sent = make_event("escalation.province_request.updated")
    handle(sent, roster)
    message = told(query, sent)["system:province"]
    assert message.title == (
        "Huyện Mỹ Xuyên cập nhật đề nghị đón công dân theo văn bản 123/BTCD-TCD: đã cử cán bộ đi đón công dân"
    )
    send_due()
    (hook,) = receiver.json("/province")
    assert hook["event_type"] == "escalation.province_request.updated" and hook["data"]["status"] == "officers_sent"
    # The province reads the same in its inbox, and can acknowledge it.
    province = identity_headers(subject="province-94", kind="province", unit="94", permissions=("inbox:read",))
    (read,) = client.get("/inbox", headers=province).json
    assert read["title"] == message.title
    assert client.post(f"/inbox/{read['id']}/ack", headers=province).status_code == 200
    (ack,) = [json.loads(e.payload)["data"] for e in query(select(OutboxEvent))]
    assert ack["recipient"] == "system:province" and ack["case_id"] is None  # the case's escalation goes on
    # Completion is told by its own event (escalation.province_request.completed): not twice.
    done = make_event("escalation.province_request.updated", change="completed", status="completed")
    handle(done, roster)
    assert told(query, done) == {}
    # A province with its own endpoint gets its updates there.
    configure(webhooks={**settings.webhooks, "province:province-94": f"{receiver.url}/st-94"})
    late = make_event("escalation.province_request.updated", change="deadline_passed", status="officers_sent")
    handle(late, roster)
    assert sorted(told(query, late)) == ["system:province:province-94"]
    send_due()
    assert json.loads(receiver.requests[-1]["body"])["title"].endswith("đã quá thời hạn nhưng chưa hoàn thành")


def test_a_missed_province_deadline_alarms_its_targets_and_the_desk(
    handle, make_event, static_roster, make_person, query
):
    event = make_event("escalation.province_request.overdue")
    handle(event, roster_of(static_roster, make_person))
    messages = told(query, event)
    assert sorted(messages) == ["btcd-01", "ld-01", "ttr-01"]
    assert messages["ttr-01"].urgent
    assert messages["ttr-01"].title == "[KHẨN] Quá hạn đón 15 công dân theo văn bản 123/BTCD-TCD"


def test_tasks_reach_their_owner_and_police_updates_the_desk(handle, make_event, static_roster, make_person, query):
    roster = roster_of(static_roster, make_person)
    for event_type, who, title in (
        (
            "escalation.task.assigned",
            ["tnmt-01"],
            "Nhiệm vụ mới trong vụ việc VV-2026-0007: Đoàn đông người (12 công dân), lĩnh vực đất đai",
        ),
        (
            "escalation.task.overdue",
            ["tnmt-01"],
            "Nhiệm vụ quá hạn trong vụ việc VV-2026-0007: Đoàn đông người (12 công dân), lĩnh vực đất đai",
        ),
        ("escalation.incident.updated", ["btcd-01"], "Công an kết thúc theo dõi tình hình tại Xã Ngọc Đông"),
    ):
        event = make_event(event_type)
        handle(event, roster)
        messages = told(query, event)
        assert sorted(messages) == who, event_type
        assert messages[who[0]].title == title


def test_the_case_consumer_listens_for_the_new_events(settings):
    for event_type in (
        "escalation.case.changed",
        "escalation.province_request.updated",
        "escalation.province_request.overdue",
        "escalation.task.assigned",
        "escalation.task.overdue",
        "escalation.incident.updated",
    ):
        assert event_type in CASE_EVENTS
    assert case_consumer(settings).handlers.keys() >= set(CASE_EVENTS)


def test_acknowledging_a_change_stops_the_case_s_escalation_but_a_task_s_does_not(
    handle, make_event, static_roster, make_person, query, client, officer
):
    roster = static_roster([make_person("btcd-01"), make_person("tnmt-01", "TNMT", "department")], leader="ld-01")
    changed, task = make_event("escalation.case.changed"), make_event("escalation.task.assigned")
    handle(changed, roster)
    handle(task, roster)
    for event, who in ((changed, "ld-01"), (task, "tnmt-01")):
        message = told(query, event)[who]
        assert client.post(f"/inbox/{message.id}/ack", headers=officer(who)).status_code == 200
    acks = {e["data"]["event_type"]: e["data"] for e in (json.loads(r.payload) for r in query(select(OutboxEvent)))}
    assert acks["escalation.case.changed"]["case_id"] == changed.data["case_id"]
    assert acks["escalation.task.assigned"]["case_id"] is None


def test_a_case_acknowledged_stops_its_alerts_but_not_its_task_reminders(
    handle, make_event, static_roster, make_person, query
):
    from notify.delivery.models import Delivery

    roster = static_roster([make_person("btcd-01")])  # tnmt-01 is not on duty: told only of the task
    handle(make_event("escalation.case.opened"), roster)
    handle(make_event("escalation.task.assigned"), roster)
    handle(make_event("escalation.case.acknowledged"), roster)
    ladders = {(d.recipient, d.channel): d.status for d in query(select(Delivery)) if d.channel != "inbox"}
    assert ladders[("btcd-01", "sms")] == "cancelled"
    assert ladders[("tnmt-01", "sms")] == "pending"  # the task's owner still gets the reminder
    handle(make_event("escalation.case.closed"), roster)
    assert {
        d.status for d in query(select(Delivery).where(Delivery.recipient == "tnmt-01", Delivery.channel != "inbox"))
    } == {"cancelled"}


def test_every_event_with_only_its_required_fields_is_told(handle, static_roster, make_person, query, event_defaults):
    """Templates never depend on a field the contract lets escalation leave out."""
    from importlib import resources

    from tiepdan_common.messaging.envelope import Envelope

    roster = roster_of(static_roster, make_person)
    for event_type in event_defaults:
        if event_type in ("escalation.case.acknowledged", "escalation.case.closed"):
            continue  # they stop ladders; closed tells the desk (its own test)
        contract = json.loads((resources.files("tiepdan_common") / "contracts" / f"{event_type}.v1.json").read_text())
        data = {k: v for k, v in event_defaults[event_type].items() if k in contract["required"]}
        event = Envelope.new(type=event_type, source="escalation", data=data)
        handle(event, roster)
        assert told(query, event), event_type
