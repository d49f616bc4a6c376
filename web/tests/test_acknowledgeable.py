"""«Tiếp nhận» is offered while an escalation still waits for someone, including one whose steps failed."""

import pytest

from web.cases import acknowledgeable


@pytest.mark.parametrize(
    "status, offered",
    [
        ("active", True),
        ("exhausted", True),
        ("failed", True),
        ("acknowledged", False),
        ("following", False),
        ("settled", False),
        ("stopped", False),
    ],
)
def test_acknowledge_is_offered_while_an_escalation_waits(status, offered):
    assert acknowledgeable({"status": "in_progress"}, {"status": status}) is offered


def test_a_closed_case_is_never_acknowledged():
    assert acknowledgeable({"status": "closed"}, {"status": "active"}) is False
