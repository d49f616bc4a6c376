"""Pure rules: policy conditions, the order of steps and repeats, hot-spot thresholds, case transitions."""

from escalation.case import domain as cases
from escalation.hotspot import domain as hotspots
from escalation.policy import domain
from escalation.policy.domain import Position, Step

STEPS = [
    Step("on_duty_role", "lead", 10),
    Step("leader_on_call", None, 20),
    Step("police", None, 5, public_order_only=True),
    Step("agency", "TTR", 30),
]


def test_hours_wrap_past_midnight():
    assert domain.in_hours(20, 17, 7) and domain.in_hours(3, 17, 7) and not domain.in_hours(9, 17, 7)
    assert domain.in_hours(7, 7, 17) and not domain.in_hours(17, 7, 17)
    assert domain.in_hours(12, None, None)


def test_a_policy_matches_by_severity_public_order_and_hour():
    match = dict(severities=["high", "critical"], public_order_only=True, hours_from=None, hours_to=None)
    assert domain.policy_matches(**match, severity="high", public_order=True, local_hour=3)
    assert not domain.policy_matches(**match, severity="medium", public_order=True, local_hour=3)
    assert not domain.policy_matches(**match, severity="critical", public_order=False, local_hour=3)


def test_steps_skip_the_police_unless_public_order_and_repeat_then_end():
    order = dict(repeat_from=1, max_repeats=1)
    assert domain.after(STEPS, Position(1, 0), public_order=False, **order) == Position(3, 0)
    assert domain.after(STEPS, Position(1, 0), public_order=True, **order) == Position(2, 0)
    assert domain.after(STEPS, Position(3, 0), public_order=False, **order) == Position(1, 1)
    assert domain.after(STEPS, Position(3, 1), public_order=False, **order) is None
    assert domain.after(STEPS, Position(3, 0), public_order=False, repeat_from=None, max_repeats=5) is None
    assert domain.first([STEPS[2]], public_order=False) is None


def test_targets_default_to_the_case_commune_and_owner():
    assert domain.target(Step("commune"), case_unit="31690", owner_agency="TNMT") == {
        "type": "commune",
        "value": "31690",
    }
    assert domain.target(Step("agency"), case_unit="31690", owner_agency="TNMT")["value"] == "TNMT"
    assert domain.target(Step("agency", "TTR"), case_unit="31690", owner_agency="TNMT")["value"] == "TTR"


def test_hot_spot_rules_need_every_threshold_they_set():
    both = hotspots.Rule("x", 7, "active", min_mass_visits=1, min_incidents=1)
    assert not hotspots.crossed(both, hotspots.Counts(mass_visits=3))
    assert hotspots.crossed(both, hotspots.Counts(mass_visits=1, incidents=1))
    assert not hotspots.crossed(hotspots.Rule("empty", 7, "active"), hotspots.Counts(9, 99, 9))
    assert hotspots.stronger("active", "watching") and not hotspots.stronger("watching", "active")


def test_case_progress_goes_forward_and_a_repeat_or_over_level_visit_opens_a_case():
    assert cases.can_progress("opened", "in_progress") and cases.can_progress("resolved", "in_progress")
    assert not cases.can_progress("closed", "in_progress") and not cases.can_progress("opened", "opened")
    assert cases.opens_case(group_size=1, is_mass=False, over_level=False, mass_case_size=5, repeated=True)
    assert not cases.opens_case(group_size=4, is_mass=False, over_level=False, mass_case_size=5)
    assert cases.is_complex(sources=3, over_level=False) and not cases.is_complex(sources=2, over_level=False)
