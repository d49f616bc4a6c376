"""Pure rules: working days across holidays, deadlines, search folding, identity encryption."""

import datetime as dt

import pytest
from intake.confidential.crypto import IdentityCipher, IdentityKeyError, generate_key
from intake.confidential.service import mask
from intake.petition import domain
from intake.text import fold, like_pattern
from intake.visit.domain import RuleViolation, goes_over_level, matter_key

HOLIDAYS = {dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 4, 30), dt.date(2026, 5, 1)}
RULES = {"petition_response": 10, "denunciation_initial": 7, "denunciation_initial_multi_site": 10,
         "denunciation_forward": 5, "complaint_first": {"normal": 30, "complex_or_remote": 45, "both": 60},
         "complaint_second": {"normal": 45, "complex_or_remote": 60, "both": 70},
         "denunciation_resolution": {"normal": 30, "complex": 60, "very_complex": 90}}


def test_working_days_skip_weekends_and_holidays():
    friday = dt.date(2026, 8, 28)
    assert domain.add_working_days(friday, 10, set()) == dt.date(2026, 9, 11)
    assert domain.add_working_days(friday, 10, HOLIDAYS) == dt.date(2026, 9, 15)
    assert domain.add_working_days(dt.date(2026, 4, 29), 1, HOLIDAYS) == dt.date(2026, 5, 4)


def test_calendar_day_deadlines_move_off_a_day_off():
    # 30 days after 2026-08-02 is Tuesday 1 September, a holiday: the deadline moves to Thursday 3.
    assert domain.add_days(dt.date(2026, 8, 2), 30, HOLIDAYS) == dt.date(2026, 9, 3)
    assert domain.add_days(dt.date(2026, 8, 3), 30, HOLIDAYS) == dt.date(2026, 9, 3)
    assert domain.add_days(dt.date(2026, 8, 5), 30, HOLIDAYS) == dt.date(2026, 9, 4)


def test_the_first_deadline_depends_on_category_and_anonymity():
    received = dt.date(2026, 8, 28)
    kwargs = {"received_on": received, "rules": RULES, "holidays": HOLIDAYS, "multi_site": False}
    assert domain.on_receipt(category="complaint", handled=False, anonymous=False, **kwargs) == domain.Deadline(
        "response", dt.date(2026, 9, 15))
    assert domain.on_receipt(category="denunciation", handled=True, anonymous=False, **kwargs) == domain.Deadline(
        "initial_handling", dt.date(2026, 9, 10))
    assert domain.on_receipt(category="denunciation", handled=False, anonymous=True, **kwargs) == domain.Deadline(
        None, None)
    multi = {**kwargs, "multi_site": True}
    assert domain.on_receipt(category="denunciation", handled=True, anonymous=False, **multi).deadline == dt.date(
        2026, 9, 15)


def test_decisions_carry_their_legal_deadline():
    common = {"received_on": dt.date(2026, 8, 28), "inform_by": dt.date(2026, 9, 15), "rules": RULES,
              "holidays": HOLIDAYS, "second_time": False}
    accept = domain.after_decision(decision="accept", category="complaint", decided_on=dt.date(2026, 8, 3),
                                   complexity="normal", **common)
    assert accept == domain.Deadline("resolution", dt.date(2026, 9, 3))
    second = domain.after_decision(decision="accept", category="complaint", decided_on=dt.date(2026, 9, 3),
                                   complexity="both", **{**common, "second_time": True})
    assert second.deadline == dt.date(2026, 11, 12)
    forward = domain.after_decision(decision="forward", category="denunciation", decided_on=dt.date(2026, 9, 3),
                                    complexity="normal", **common)
    assert forward == domain.Deadline(None, dt.date(2026, 9, 8))
    guide = domain.after_decision(decision="guide", category="recommendation", decided_on=dt.date(2026, 9, 3),
                                  complexity="normal", **common)
    assert guide == domain.Deadline(None, dt.date(2026, 9, 15))


def test_anonymous_denunciations_need_a_violator_and_evidence_to_be_handled():
    assert domain.handled_as_denunciation(category="denunciation", anonymous=True, verifiable=False) is False
    assert domain.handled_as_denunciation(category="denunciation", anonymous=True, verifiable=True) is True
    assert domain.handled_as_denunciation(category="denunciation", anonymous=False, verifiable=False) is True
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
    assert goes_over_level(declared=False, receiving_level="province", origin_level="commune",
                           receiving_is_ancestor=True) is True
    assert goes_over_level(declared=False, receiving_level="district", origin_level="commune",
                           receiving_is_ancestor=True) is False
    assert goes_over_level(declared=True, receiving_level="district", origin_level="commune",
                           receiving_is_ancestor=True) is True


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
    assert mask(clear, strict=False) == {"full_name": "L*** V*** B***", "address": "***",
                                         "id_number": "*********789", "phone": "*******678"}
    assert set(mask(clear, strict=True).values()) == {"***"}
