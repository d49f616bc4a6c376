"""Before a visit is saved: earlier visits and the earlier petition of the same citizens about the same matter."""

from __future__ import annotations

import datetime as dt
import unicodedata

from .gateway import get, post
from .timekeeping import now_local

SIMILAR_DAYS = 90
REPEAT_CHECK_PATH = "/intake/petitions/repeat-check"


def _fold(text: str) -> str:
    """Lower case without diacritics, so that «Nguyễn Văn Tư» matches «nguyen van tu»."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def _initials(name: str) -> str:
    """A name as intake masks it for callers without the identity right: «N*** V*** T***», folded."""
    return " ".join(word[0] + "***" for word in _fold(name).split())


def _same_person(typed: set[str], shown: str) -> bool:
    """Whether a name shown by the register (clear, or masked to initials) may be one of the typed names."""
    folded = _fold(shown)
    return folded in typed or ("***" in folded and folded in {_initials(t) for t in typed})


FIND_CITIZEN_PATH = "/intake/visits/find-citizen"
MAX_LOOKUPS = 3  # citizens asked about per check


def _same_matter(visit: dict, body: dict) -> bool:
    return all(
        not body.get(k) or visit.get(api_key) == body[k]
        for k, api_key in (("field", "field"), ("origin_unit", "origin_unit"), ("category", "category"))
    )


def found_citizens(body: dict) -> list[dict] | None:
    """Earlier visits of the same matter by these citizens, found by intake's blind indexes (name, ID, phone).

    None when intake cannot be asked (the desk then scans recent visits of the matter instead).
    """
    people = [c for c in body.get("citizens", []) if c.get("full_name")][:MAX_LOOKUPS]
    found: dict[str, dict] = {}
    for person in people:
        query = {k: person[k] for k in ("full_name", "id_number", "phone") if person.get(k)}
        answer = post(FIND_CITIZEN_PATH, json={**query, "limit": 20})
        if answer.status in (0, 403, 404, 405):
            return None
        for visit in (answer.data or {}).get("items", []) if answer.ok else []:
            if _same_matter(visit, body):
                entry = found.setdefault(visit["id"], {**visit, "shared_names": []})
                entry["shared_names"].append(person["full_name"])
    return sorted(found.values(), key=lambda v: v.get("received_at") or "", reverse=True)[:5]


def similar_visits(body: dict) -> list[dict]:
    """Earlier visits of the same commune, field and category naming one of these citizens.

    Intake links a repeat by itself when the visit is saved; this warning lets the clerk look first. Intake's
    find-citizen answers exactly (blind indexes); without it, recent visits are matched by name or initials.
    """
    names = {_fold(c.get("full_name", "")) for c in body.get("citizens", []) if c.get("full_name")}
    if not names or not body.get("field"):
        return []
    exact = found_citizens(body)
    if exact is not None:
        return exact
    since = (now_local() - dt.timedelta(days=SIMILAR_DAYS)).isoformat()
    answer = get(
        "/intake/visits",
        field=body["field"],
        unit=body.get("origin_unit"),
        category=body.get("category"),
        limit=100,
        **{"from": since},
    )
    if not answer.ok:
        return []
    found = []
    for visit in (answer.data or {}).get("items", []):
        shared = sorted({c["full_name"] for c in visit.get("citizens", []) if _same_person(names, c.get("full_name"))})
        if shared:
            found.append({**visit, "shared_names": shared})
    return found[:5]


def earlier_petition(body: dict) -> dict | None:
    """The first petition of these citizens about this matter (intake matches names and ID numbers exactly)."""
    senders = [
        {k: c[k] for k in ("full_name", "address", "id_number", "phone") if c.get(k)}
        for c in body.get("citizens", [])
        if c.get("full_name")
    ]
    if not (senders and body.get("field") and body.get("origin_unit") and body.get("category")):
        return None
    answer = post(
        REPEAT_CHECK_PATH,
        json={
            "category": body["category"],
            "field": body["field"],
            "origin_unit": body["origin_unit"],
            "senders": senders,
        },
    )
    return (answer.data or {}).get("earlier") if answer.ok and isinstance(answer.data, dict) else None


def duplicates(body: dict) -> dict:
    """What the desk should see before saving: earlier visits and the earlier petition of the same matter."""
    found = {"visits": similar_visits(body), "petition": earlier_petition(body)}
    return found if found["visits"] or found["petition"] else {}
