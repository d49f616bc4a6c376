"""Bodies notify refuses before any work: another media type than it reads, overlong or control-laden rule text."""

import pytest

from notify import signing


def _signed(anonymous, body: bytes, content_type: str) -> dict:
    return {**anonymous, **signing.sign_headers("sms-secret", body), "Content-Type": content_type}


def test_the_sms_callback_declares_the_form_it_reads(app):
    from tiepdan_common.limits import EXTRA_TYPES_ATTR, FORM

    assert FORM in getattr(app.view_functions["ack.sms_inbound"], EXTRA_TYPES_ATTR, ())


def test_the_sms_callback_refuses_another_media_type(client, anonymous):
    body = b"from=+84299000001 code=123456"
    resp = client.post("/sms/inbound", data=body, headers=_signed(anonymous, body, "text/plain"))
    assert resp.status_code == 415 and resp.mimetype == "application/problem+json"
    assert set(resp.json["accepted"]) == {"application/json", "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"from=%2B84299000001&text=123456+" + b"x" * 2000, "text"),
        (b"from=" + b"9" * 100 + b"&code=123456", "from"),
        (b"from=%2B84299000001&code=12%003456", "code"),
    ],
)
def test_a_form_from_the_sms_provider_is_checked_like_json(client, anonymous, body, field):
    resp = client.post("/sms/inbound", data=body, headers=_signed(anonymous, body, "application/x-www-form-urlencoded"))
    assert resp.status_code == 422, resp.json
    assert resp.json["errors"][0]["field"] == field


RULE = {"event_type": "intake.petition.overdue", "audiences": [{"type": "agency", "value": "TTR"}]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "intake.petition.overdue" + ".x" * 200}, "template"),
        ({"template": "no.such.template"}, "template"),
        ({"event_type": "intake.petition\x7f.overdue"}, "event_type"),
        ({"event_type": "intake.petition\u0085.overdue"}, "event_type"),
        ({"event_type": "intake.petition.overdue\u0001"}, "event_type"),
        ({"event_type": "Nhắc việc quá hạn"}, "event_type"),
        ({"audiences": [{"type": "agency", "value": "T" * 500}]}, "audiences[0].value"),
        ({"audiences": [{"type": "contact", "name": "N" * 500}]}, "audiences[0].name"),
        ({"audiences": [{"type": "agency", "value": "TTR"}] * 100}, "audiences"),
        ({"channels": ["inbox"] * 50}, "channels"),
        ({"conditions": {f"data.path{n}": n for n in range(100)}}, "conditions"),
        ({"conditions": {"title": "x" * 5000}}, "conditions"),
        ({"urgent": "$" + "a" * 500}, "urgent"),
    ],
)
def test_a_rule_s_free_text_is_bounded_and_clean(client, admin, change, field):
    resp = client.put("/rules/overdue-to-ttr", headers=admin, json={**RULE, **change})
    assert resp.status_code == 422, resp.json
    assert resp.json["errors"][0]["field"] == field


def test_a_rule_within_bounds_is_taken(client, admin):
    rule = {**RULE, "template": "intake.petition.overdue", "conditions": {"days_overdue": {"gte": 10}}}
    resp = client.put("/rules/overdue-to-ttr", headers=admin, json=rule)
    assert resp.status_code == 200, resp.json
    assert resp.json["template"] == "intake.petition.overdue"


def test_a_rule_s_name_is_bounded(client, admin):
    resp = client.put("/rules/" + "r" * 200, headers=admin, json=RULE)
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "name"
