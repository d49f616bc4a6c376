"""Escalation's copy of the administrative units (names, level, parent, validity), kept from intake's."""
