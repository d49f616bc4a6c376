"""What escalation does with intake's events."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tiepdan_common.messaging.consumer import Consumer
from tiepdan_common.messaging.envelope import Envelope

from .. import reference
from . import domain, service


def intake_consumer(*, mass_case_size: int, reference_dir: Path) -> Consumer:
    """Opens a case for a mass visit (or a matter taken over a level), or joins the open one."""

    def on_visit(db_session: Session, event: Envelope) -> None:
        visit = event.data
        if not domain.opens_case(group_size=visit["group_size"], is_mass=visit["is_mass"],
                                 over_level=visit.get("over_level", False), mass_case_size=mass_case_size):
            return
        if service.source_known(db_session=db_session, source_type="visit", source_id=visit["visit_id"]):
            return
        matter_key = visit.get("matter_key") or f"{visit['origin_unit']}:{visit['field']}"
        existing = service.find_open_for_matter(db_session=db_session, matter_key=matter_key)
        if existing is not None:
            service.join_case(db_session=db_session, case=existing, source_type="visit",
                              source_id=visit["visit_id"], actor="system", group_size=visit["group_size"])
            return
        unit = reference.unit(reference_dir, visit["origin_unit"])
        field = reference.field(reference_dir, visit["field"])
        receiving = reference.unit(reference_dir, visit["receiving_unit"])
        title = f"Đoàn đông người ({visit['group_size']} công dân), lĩnh vực {field['name_vi'].lower()}, {unit['name']}"
        service.open_case(
            db_session=db_session, title=title, unit=visit["origin_unit"], field_code=visit["field"],
            category=visit["category"], matter_key=matter_key,
            severity=domain.severity_for_group(visit["group_size"]),
            level=domain.level_for_unit(receiving.get("level")), owner_agency=field.get("agency"),
            group_size=visit["group_size"], source_type="visit", source_id=visit["visit_id"], actor="system",
        )

    return Consumer("intake-events", {"intake.visit.recorded": on_visit})
