"""English is a choice: every Vietnamese text in the code and templates has an English translation, compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[1]
CATALOG = WEB / "web" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def test_every_message_has_an_english_translation():
    with open(CATALOG / "messages.po", "rb") as f:
        po = read_po(f, locale="en")
    translated = {m.id: m.string for m in po if m.id and m.string}
    found = {msg for _file, _line, msg, _comments, _ctx in extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS)}
    missing = sorted(m for m in found if isinstance(m, str) and m not in translated)
    assert not missing, f"add these to messages.po (then compile it): {missing}"


def test_the_compiled_catalog_matches_the_source():
    with open(CATALOG / "messages.po", "rb") as f:
        po = read_po(f, locale="en")
    with open(CATALOG / "messages.mo", "rb") as f:
        mo = read_mo(f)
    assert {m.id: m.string for m in po if m.id and m.string} == {m.id: m.string for m in mo if m.id}
