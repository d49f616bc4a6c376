"""Render the event contracts as the Markdown page ``docs/events.md``."""

from __future__ import annotations

from . import contracts

HEADER = """# Events

Generated from the JSON Schemas in `libs/common/tiepdan_common/contracts/` by
`python -m tiepdan_common.messaging.docs > docs/events.md` (a test checks that
this page is current). Every event travels in the envelope `id` (UUID, also the
AMQP message_id), `type` (also the routing key), `version`, `occurred_at`,
`source`, `correlation_id`, `data`; the tables describe `data`. No event ever
carries a denouncer's identity or a citizen's personal data.
"""


def _type_of(prop: dict) -> str:
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type", "object")
    kinds = kind if isinstance(kind, list) else [kind]
    text = " or ".join(kinds)
    if prop.get("format"):
        text += f" ({prop['format']})"
    return text


def render() -> str:
    """The whole page."""
    parts = [HEADER]
    for name in (n for n in contracts.known_contracts() if not n.startswith("test.")):
        event_type, version = name.rsplit(".v", 1)
        schema = contracts.contract_schema(event_type, int(version))
        required = set(schema.get("required", []))
        parts.append(
            f"\n## `{event_type}` v{version}\n\nProduced by **{event_type.split('.')[0]}**. "
            f"{schema.get('description', '')}\n\n| field | type | required | meaning |\n|---|---|---|---|"
        )
        for field, prop in schema.get("properties", {}).items():
            meaning = prop.get("description", "")
            if prop.get("type") == "object" and "properties" in prop:
                meaning = (
                    (meaning + " " if meaning else "") + "Fields: " + ", ".join(f"`{k}`" for k in prop["properties"])
                )
            parts.append(f"| `{field}` | {_type_of(prop)} | {'yes' if field in required else 'no'} | {meaning} |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")
