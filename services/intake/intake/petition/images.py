"""Handwriting and scanned pages of a petition: encrypted at rest, every read audited."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy.orm import Session

from tiepdan_common.context import request_id_var
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity

from ..confidential import service as confidential
from ..confidential.models import IdentityRead
from . import access, service
from .models import PetitionImage

MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_BYTES = 700 * 1024


def add(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> PetitionImage:
    """Store an image of the petition, encrypted with the newest identity key."""
    petition = service.get(db_session=db_session, identity=identity, petition_id=petition_id)
    try:
        raw = base64.b64decode(data["data"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise field_error("data", "not valid base64") from exc
    if not raw:
        raise field_error("data", "is empty")
    if len(raw) > MAX_BYTES:
        raise field_error("data", f"images are at most {MAX_BYTES // 1024} KB", status=413, code="payload_too_large")
    if not raw.startswith(MAGIC[data["content_type"]]):
        raise field_error("content_type", f"the data is not a {data['content_type']} image")
    image = PetitionImage(
        petition_id=petition.id,
        kind=data["kind"],
        content_type=data["content_type"],
        size=len(raw),
        data=confidential.current_cipher().encrypt_bytes(raw),
        created_by=identity.subject,
    )
    db_session.add(image)
    db_session.flush()
    return image


def read(
    *, db_session: Session, identity: Identity, petition_id: str, image_id: int, purpose: str | None = None
) -> PetitionImage:
    """An image in clear (``image.clear``) for an identity:read caller (for a denunciation's record, also
    assigned to it or stating a purpose); the read is audited."""
    petition = service.get(db_session=db_session, identity=identity, petition_id=petition_id)
    if not identity.has(confidential.PERMISSION):
        raise Problem(403, "Permission 'identity:read' is required.", code="forbidden")
    if petition.confidential:
        handler = bool(access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.id]))
        access.require_handler_or_purpose(identity=identity, handler=handler, purpose=purpose)
    image = db_session.get(PetitionImage, image_id)
    if image is None or image.petition_id != petition.id:
        raise Problem(404, "No such image.", code="not_found")
    image.clear = confidential.current_cipher().decrypt_bytes(image.data)
    db_session.add(
        IdentityRead(
            reader=identity.subject,
            reader_kind=identity.kind,
            reader_unit=identity.unit,
            officer=identity.officer,
            record_type="petition_image",
            record_id=petition.id,
            person_count=0,
            request_id=request_id_var.get(),
            purpose=f"image {image.id}" + (f": {purpose}" if purpose else ""),
        )
    )
    return image
