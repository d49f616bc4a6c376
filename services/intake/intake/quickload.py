"""A marshmallow schema whose ``load`` skips the schema's bookkeeping for input it accepts as is."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, missing


class QuickLoad(Schema):
    """``load`` goes field by field through the schema's own fields (their conversion and validators,
    nested schemas included) and returns what marshmallow's ``load`` would.

    Anything else takes marshmallow's full ``load``, which then reports every error as before: a field
    that does not validate, a key the schema does not know, input that is not a dict, a load with
    ``many``, ``partial`` or another ``unknown``. A schema with hooks (``pre_load``, ``post_load``,
    ``validates``, ``validates_schema``) or a dotted ``attribute`` always takes the full load.
    For a visit's body this is about half of marshmallow's time (its error store, its per-field
    closures, its hook lookups).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plan = tuple((field.data_key or name, field.attribute or name, field) for name, field in self.load_fields.items())
        plain = (not any(self._hooks.values()) and not self.many and not self.partial
                 and not any("." in attr for _, attr, _ in plan))
        self._quick = (plan, frozenset(key for key, _, _ in plan)) if plain else None

    def load(self, data, *, many=None, partial=None, unknown=None):
        quick = self._quick
        if (quick is not None and not many and partial is None and (unknown or self.unknown) == RAISE
                and type(data) is dict and data.keys() <= quick[1]):
            out = self.dict_class()
            try:
                for key, attr, field in quick[0]:
                    value = field.deserialize(data.get(key, missing), key, data)
                    if value is not missing:
                        out[attr] = value
            except ValidationError:
                pass  # marshmallow's load below collects and reports every error
            else:
                return out
        return super().load(data, many=many, partial=partial, unknown=unknown)
