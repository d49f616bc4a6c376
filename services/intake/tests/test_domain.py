"""Pure rules: working days across holidays, deadlines, search folding, identity encryption."""

import datetime as dt

import pytest

from intake.confidential.crypto import IdentityCipher, IdentityKeyError, generate_key
from intake.confidential.service import mask
from intake.petition import deadlines, domain, lifecycle
from intake.text import fold, like_pattern
from intake.visit.domain import RuleViolation, goes_over_level, matter_key
from tiepdan_common.calendar import Calendar, CalendarRangeError, DayEntry

HOLIDAYS = {dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 4, 30), dt.date(2026, 5, 1)}


def _calendar(holidays, makeup=(), years=(2026, 2026)):
    return Calendar(
        first_year=years[0],
        last_year=years[1],
        holidays=tuple(DayEntry(d, "nghỉ") for d in holidays),
        makeup_working_days=tuple(DayEntry(d, "làm bù") for d in makeup),
    )


CAL = _calendar(HOLIDAYS)
RULES = {
    "petition_response": 10,
    "complaint_acceptance": 10,
    "denunciation_initial": 7,
    "denunciation_initial_multi_site": 10,
    "denunciation_forward": 5,
    "complaint_first": {"normal": 30, "complex_or_remote": 45, "both": 60},
    "complaint_second": {"normal": 45, "complex_or_remote": 60, "both": 70},
    "denunciation_resolution": {"normal": 30, "complex": 60, "very_complex": 90},
}


def test_working_days_skip_weekends_and_holidays():
    friday = dt.date(2026, 8, 28)
    assert _calendar(set()).add_working_days(friday, 10) == dt.date(2026, 9, 11)
    assert CAL.add_working_days(friday, 10) == dt.date(2026, 9, 15)
    assert CAL.add_working_days(dt.date(2026, 4, 29), 1) == dt.date(2026, 5, 4)


def test_a_make_up_saturday_counts_and_a_year_beyond_the_data_is_an_error():
    # Friday 2 May 2025 was swapped for Saturday 26 April 2025 (a make-up working day).
    cal = _calendar(
        {dt.date(2025, 4, 30), dt.date(2025, 5, 1), dt.date(2025, 5, 2)},
        makeup={dt.date(2025, 4, 26)},
        years=(2025, 2025),
    )
    assert cal.add_working_days(dt.date(2025, 4, 25), 1) == dt.date(2025, 4, 26)
    assert cal.add_working_days(dt.date(2025, 4, 29), 1) == dt.date(2025, 5, 5)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(dt.date(2025, 12, 30), 5)  # runs into 2026, which it does not know
    with pytest.raises(CalendarRangeError):
        CAL.is_working_day(dt.date(2031, 1, 2))


def test_calendar_day_deadlines_move_off_a_day_off():
    # 30 days after 2026-08-02 is Tuesday 1 September, a holiday: the deadline moves to Thursday 3.
    assert deadlines.add_days(CAL, dt.date(2026, 8, 2), 30) == dt.date(2026, 9, 3)
    assert deadlines.add_days(CAL, dt.date(2026, 8, 3), 30) == dt.date(2026, 9, 3)
    assert deadlines.add_days(CAL, dt.date(2026, 8, 5), 30) == dt.date(2026, 9, 4)


def test_the_first_deadlines_depend_on_category_and_anonymity():
    kwargs = {"received_on": dt.date(2026, 8, 28), "rules": RULES, "calendar": CAL, "multi_site": False}
    complaint = deadlines.on_receipt(category="complaint", anonymous=False, **kwargs)
    assert complaint.first == deadlines.Deadline("acceptance", dt.date(2026, 9, 15))
    assert complaint.inform_by == dt.date(2026, 9, 15) and complaint.forward_by is None
    denunciation = deadlines.on_receipt(category="denunciation", anonymous=False, **kwargs)
    assert denunciation.first == deadlines.Deadline("initial_handling", dt.date(2026, 9, 10))
    assert denunciation.forward_by == dt.date(2026, 9, 8)  # 5 working days (Art. 24)
    assert deadlines.on_receipt(category="denunciation", anonymous=True, **kwargs).first == deadlines.NONE
    multi = deadlines.on_receipt(category="denunciation", anonymous=False, **{**kwargs, "multi_site": True})
    assert multi.first.deadline == dt.date(2026, 9, 15)
    assert deadlines.on_receipt(category="feedback", anonymous=False, **kwargs).first.stage == "response"


def test_resolution_by_round_and_complexity_and_denunciation_extensions():
    common = {"rules": RULES, "calendar": CAL}
    first = deadlines.resolution(
        category="complaint", complaint_round=1, complexity="normal", accepted_on=dt.date(2026, 8, 3), **common
    )
    assert first == deadlines.Deadline("resolution", dt.date(2026, 9, 3))
    second = deadlines.resolution(
        category="complaint", complaint_round=2, complexity="both", accepted_on=dt.date(2026, 9, 3), **common
    )
    assert second.deadline == dt.date(2026, 11, 12)
    denunciation = deadlines.resolution(
        category="denunciation", complaint_round=1, complexity="normal", accepted_on=dt.date(2026, 8, 3), **common
    )
    assert denunciation.deadline == dt.date(2026, 9, 3)
    once = deadlines.extension(extensions_so_far=0, deadline=denunciation.deadline, **common)
    assert once == dt.date(2026, 10, 5)  # 3 October is a Saturday
    assert deadlines.extension(extensions_so_far=1, deadline=once, **common) == dt.date(2026, 11, 4)
    with pytest.raises(ValueError):
        deadlines.extension(extensions_so_far=2, deadline=once, **common)


def test_a_suspension_stops_the_clock_and_a_resumption_restarts_it():
    left = deadlines.pause(deadline=dt.date(2026, 9, 30), on=dt.date(2026, 9, 10))
    assert left == 20
    assert deadlines.restart(remaining=left, on=dt.date(2026, 10, 12), calendar=CAL) == dt.date(2026, 11, 2)


def test_the_lifecycle_allows_each_step_only_from_its_states():
    since = {"withdraw_part": {"complaint": dt.date(2026, 7, 1)}}
    kwargs = {"category": "complaint", "anonymous": False, "received_on": dt.date(2026, 7, 1), "available_from": since}
    assert lifecycle.check(step="accept", status="received", **kwargs).to_state == "accepted"
    with pytest.raises(lifecycle.StepNotAllowed):
        lifecycle.check(step="resolve", status="received", **kwargs)
    with pytest.raises(lifecycle.StepNotAllowed):
        lifecycle.check(step="extend", status="accepted", **kwargs)  # a complaint is not extended
    assert lifecycle.check(step="withdraw_part", status="accepted", **kwargs).to_state is None
    with pytest.raises(lifecycle.StepNotAllowed, match="2026-07-01"):
        lifecycle.check(step="withdraw_part", status="accepted", **{**kwargs, "received_on": dt.date(2026, 6, 30)})
    with pytest.raises(lifecycle.StepNotAllowed):
        lifecycle.check(step="accept", status="received", **{**kwargs, "anonymous": True})
    assert lifecycle.anonymous_track(category="denunciation", anonymous=True, verifiable=True) == "inspection"
    assert lifecycle.anonymous_track(category="denunciation", anonymous=True, verifiable=False) == "filed"
    assert lifecycle.anonymous_track(category="denunciation", anonymous=False, verifiable=False) is None
    assert (
        lifecycle.skipped_dialogue_continues(
            valid_reason=False, received_on=dt.date(2026, 7, 1), rule_from=dt.date(2026, 7, 1)
        )
        is True
    )
    assert (
        lifecycle.skipped_dialogue_continues(
            valid_reason=False, received_on=dt.date(2026, 6, 30), rule_from=dt.date(2026, 7, 1)
        )
        is False
    )


def test_anonymous_denunciations_need_a_violator_and_evidence_to_be_verifiable():
    with pytest.raises(RuleViolation) as err:
        domain.check_anonymous(anonymous=True, sender_count=0, verifiable=True, violator="Ông A", evidence=None)
    assert err.value.field == "evidence"
    with pytest.raises(RuleViolation) as err:
        domain.check_anonymous(anonymous=True, sender_count=1, verifiable=False, violator=None, evidence=None)
    assert err.value.field == "senders"


def test_folding_ignores_diacritics_case_and_the_letter_d():
    assert fold("Đất đai ở HÒA TÚ") == "dat dai o hoa tu"
    assert fold("Tranh chấp") == fold("tranh chap") == fold("TRANH  CHẤP")
    assert like_pattern("50%_x") == "%50\\%\\_x%"


def test_matter_keys_and_going_over_a_level():
    assert matter_key(origin_unit="31690", field="land", subject_folded=None) == "31690:land"
    assert matter_key(origin_unit="31690", field="land", subject_folded="tinh lo 940") == "31690:land:tinh-lo-940"
    assert (
        goes_over_level(declared=False, receiving_level="province", origin_level="commune", receiving_is_ancestor=True)
        is True
    )
    assert (
        goes_over_level(declared=False, receiving_level="district", origin_level="commune", receiving_is_ancestor=True)
        is False
    )
    assert (
        goes_over_level(declared=True, receiving_level="district", origin_level="commune", receiving_is_ancestor=True)
        is True
    )


def test_identity_cipher_encrypts_rotates_and_indexes():
    old, new = generate_key(), generate_key()
    before = IdentityCipher([old])
    token = before.encrypt("Nguyễn Văn Tư")
    assert "Nguy" not in token and before.decrypt(token) == "Nguyễn Văn Tư"
    after = IdentityCipher([new, old])
    rotated = after.rotate(token)
    assert IdentityCipher([new]).decrypt(rotated) == "Nguyễn Văn Tư"
    with pytest.raises(IdentityKeyError):
        IdentityCipher([new]).decrypt(token)
    assert after.rotate("legacy clear text") != "legacy clear text"
    assert before.index("id_number", "094 123 456 789") == before.index("id_number", "094123456789")
    assert before.index("id_number", "094123456789") in after.indexes("id_number", "094123456789")
    with pytest.raises(IdentityKeyError):
        IdentityCipher(["not-a-key"])


def test_masking_hides_a_denouncer_entirely():
    clear = {"full_name": "Lê Văn Bảy", "address": "Ấp 3", "id_number": "094123456789", "phone": "0912345678"}
    assert mask(clear, strict=False) == {
        "full_name": "L*** V*** B***",
        "address": "***",
        "id_number": "*********789",
        "phone": "*******678",
    }
    assert set(mask(clear, strict=True).values()) == {"***"}
