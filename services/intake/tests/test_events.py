"""Every event intake emits validates against its contract and is documented in the README."""

import datetime as dt
import re
from pathlib import Path

from intake.petition import overdue
from tiepdan_common.messaging import contracts
from tiepdan_common.messaging.envelope import Envelope

README = Path(__file__).resolve().parents[1] / "README.md"
EMITTED = {
    "intake.visit.recorded",
    "intake.petition.received",
    "intake.petition.decided",
    "intake.petition.overdue",
    "intake.petition.step_recorded",
}


def documented_fields() -> dict[str, set[str]]:
    """The field tables under each ``### <event type>`` heading of the README."""
    out, current = {}, None
    for line in README.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### (intake\.[a-z_.]+)$", line)
        if heading:
            current = out.setdefault(heading.group(1), set())
        elif line.startswith("## "):
            current = None
        elif current is not None and (cell := re.match(r"^\| `([a-z_]+)` \|", line)):
            current.add(cell.group(1))
    return out


def test_every_emitted_event_matches_its_contract_and_the_readme(
    app, client, board, visit_body, petition_body, outbox_events
):
    client.post("/visits", json=visit_body(size=6), headers=board)
    visit = client.post("/visits", json=visit_body(), headers=board).json
    split = petition_body(
        channel="visit",
        visit_id=visit["id"],
        category=None,
        content=None,
        parts=[{"category": "complaint", "content": "Khiếu nại"}, {"category": "denunciation", "content": "Tố cáo"}],
    )
    split.pop("category"), split.pop("content")
    created = client.post("/petitions", json=split, headers=board).json
    # The desk marks a repeat of the complaint part.
    client.post("/petitions", json=petition_body(repeat_of=created["id"]), headers=board)
    client.post("/petitions", json=petition_body(anonymous=True, senders=[], category="feedback"), headers=board)
    client.post(
        f"/petitions/{created['id']}/decisions",
        headers=board,
        json={
            "decision": "forward",
            "forwarded_to": "Thanh tra huyện",
            "letter_number": "45/BTCD",
            "letter_date": "2026-08-31",
            "decided_at": "2026-08-31T09:00:00+07:00",
        },
    )
    overdue.run_once(app.extensions["tiepdan"]["db"], day=dt.date(2026, 12, 1))

    events = outbox_events()
    assert {e["type"] for e in events} == EMITTED
    docs = documented_fields()
    for raw in events:
        envelope = Envelope.from_dict(raw)
        contracts.validate(envelope)  # raises ContractError on any breach
        schema = contracts.contract_schema(envelope.type, envelope.version)
        assert docs[envelope.type] == set(schema["properties"]), envelope.type
        assert set(envelope.data) <= docs[envelope.type]
        assert envelope.source == "intake"
    received = [e["data"] for e in events if e["type"] == "intake.petition.received"]
    # The parts of a petition holding a denunciation are not linked in events either.
    assert [r["split_from"] is not None for r in received] == [False, False, False, False]
    assert received[2]["repeat_of"] == created["id"]
    # ... nor tied to the visit they were handed in at (it would name the denouncer's visit).
    assert received[0]["visit_id"] is None and received[1]["visit_id"] is None
