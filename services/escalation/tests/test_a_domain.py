"""Pure rules of the case journey: thresholds crossed, severity raised, a step that is gone, titles."""

from escalation.case import domain as cases
from escalation.policy import domain


def test_a_crowd_crosses_each_configured_size_once():
    assert domain.crossed_thresholds([20, 50], 6, 80) == [20, 50]
    assert domain.crossed_thresholds([50, 20], 19, 20) == [20]
    assert domain.crossed_thresholds([20, 50], 20, 49) == []
    assert domain.crossed_thresholds([20], None, 25) == [20]
    assert domain.crossed_thresholds(None, 1, 100) == []


def test_only_a_higher_severity_is_raised():
    assert domain.severity_raised("low", "critical") and not domain.severity_raised("high", "medium")
    assert not domain.severity_raised("high", "high")


def test_a_step_gone_from_the_policy_is_none():
    steps = [domain.Step("on_duty_role", "lead")]
    assert domain.step_at(steps, 0) == steps[0]
    assert domain.step_at(steps, 1) is None and domain.step_at(steps, -1) is None
    # The ladder goes on after a missing step: a repeat, or the end.
    assert domain.after(
        steps, domain.Position(3, 0), repeat_from=0, max_repeats=1, public_order=False
    ) == domain.Position(0, 1)
    assert domain.after(steps, domain.Position(3, 0), repeat_from=None, max_repeats=0, public_order=False) is None


def test_a_field_is_named_once_in_a_title():
    assert cases.field_phrase("Đất đai") == "lĩnh vực đất đai"
    assert cases.field_phrase("Lĩnh vực khác") == "lĩnh vực khác"
    assert cases.field_phrase("Bồi thường, hỗ trợ, tái định cư") == "lĩnh vực bồi thường, hỗ trợ, tái định cư"


def test_merged_is_not_a_reason_to_pick_when_closing():
    assert "merged" in cases.CLOSE_REASONS and "merged" not in cases.CLOSABLE_REASONS
