"""The event contracts: valid schemas, and docs/events.md generated from them is current."""

from pathlib import Path

from tiepdan_common.messaging import contracts, docs

REPO = Path(__file__).resolve().parents[3]


def test_every_contract_is_a_valid_schema_that_forbids_unknown_fields():
    names = [n for n in contracts.known_contracts() if not n.startswith("test.")]
    assert len(names) >= 17
    for name in names:
        event_type, version = name.rsplit(".v", 1)
        schema = contracts.contract_schema(event_type, int(version))
        assert schema["additionalProperties"] is False, name
        assert event_type.split(".")[0] in ("intake", "roster", "escalation", "notify"), name


def test_the_events_page_is_current():
    expected = docs.render()
    page = (REPO / "docs" / "events.md").read_text(encoding="utf-8")
    assert page == expected, "regenerate: python -m tiepdan_common.messaging.docs > docs/events.md"
