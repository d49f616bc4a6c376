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


def page(resp) -> str:
    """The response's HTML."""
    return resp.get_data(as_text=True)
