"""Sample records of the API shared by the unit tests."""

from __future__ import annotations

VISIT = {
    "id": "v-1",
    "serial": "947/2026/000001",
    "receiving_unit": "947",
    "receiving_officer": "btcd-01",
    "received_at": "2026-11-26T02:00:00+00:00",
    "category": "complaint",
    "field": "land",
    "origin_unit": "31690",
    "content": "Khiếu nại thu hồi đất",
    "prior_handling": None,
    "citizen_request": None,
    "group_size": 12,
    "is_mass": True,
    "over_level": False,
    "representative_count": 1,
    "citizens": [
        {"full_name": "Nguyễn Văn Tư", "address": None, "id_number": None, "phone": None, "is_representative": True}
    ],
    "outcome": {"type": "documents_taken", "competent_body": None, "refusal_ground": None},
    "created_by": "officer:btcd-01",
    "created_at": "2026-11-26T02:00:00+00:00",
}

CASE = {
    "id": "c-1",
    "number": "VV-2026-0001",
    "title": "Đoàn đông người (12 công dân)",
    "unit": "31690",
    "field": "land",
    "category": "complaint",
    "severity": "medium",
    "level": "district",
    "status": "opened",
    "owner_agency": None,
    "group_size": 12,
    "public_order": False,
    "complex": False,
    "participants": [],
    "opened_at": "2026-11-26T02:00:00+00:00",
    "closed_at": None,
    "close_reason": None,
    "outcome": None,
    "timeline": [
        {
            "at": "2026-11-26T02:00:00+00:00",
            "actor": "system",
            "kind": "opened",
            "detail": {"source": {"type": "visit", "id": "v-1"}},
        }
    ],
}
ESCALATION = {
    "policy": "mass",
    "status": "active",
    "cycle": 0,
    "step_index": 1,
    "repeat": 0,
    "next_step_at": "2026-11-26T02:15:00+00:00",
    "acknowledged_at": None,
    "acknowledged_by": None,
    "steps_sent": [],
}


PETITION = {
    "id": "p-1",
    "number": "DON-947/2026/000007",
    "receiving_unit": "947",
    "received_at": "2026-11-26T02:00:00+00:00",
    "channel": "forwarded",
    "visit_id": None,
    "forwarded_by": "Sở TN&MT",
    "category": "complaint",
    "field": "land",
    "origin_unit": "31690",
    "subject": "Bồi thường tỉnh lộ 940",
    "content": "Khiếu nại mức bồi thường",
    "anonymous": False,
    "sender_count": 1,
    "status": "received",
    "stage": "acceptance",
    "deadline": "2026-12-10",
    "inform_deadline": "2026-12-10",
    "citizen_informed_on": None,
    "senders": [{"full_name": "Nguyễn Văn Tư", "address": "Ấp Phước Hòa", "is_representative": True}],
    "decisions": [],
    "linked": [],
    "created_by": "btcd-01",
    "created_at": "2026-11-26T02:00:00+00:00",
}

AGENCIES = [
    {"code": "TNMT", "name": "Phòng Tài nguyên và Môi trường", "kind": "department", "unit": "947"},
    {"code": "CAH", "name": "Công an huyện Mỹ Xuyên", "kind": "police", "unit": "947"},
    {"code": "UBND-31690", "name": "UBND xã Đại Tâm", "kind": "commune", "unit": "31690"},
]


OFFICERS = [
    {"code": "btcd-01", "full_name": "Nguyễn Văn An", "role": "board", "agency": "BTCD"},
    {"code": "ld-01", "full_name": "Trần Văn Lãnh", "role": "leader", "agency": "UBND"},
]


def serve_case(fake, **changes):
    """The stand-in gateway answers case c-1 (with ``changes``) and roster's agencies and officers."""
    fake.on("GET", "/escalation/cases/c-1", 200, {**CASE, **changes})
    fake.on("GET", "/roster/agencies", 200, AGENCIES)
    fake.on("GET", "/roster/officers", 200, OFFICERS)


def page(resp) -> str:
    """The response's HTML."""
    return resp.get_data(as_text=True)
