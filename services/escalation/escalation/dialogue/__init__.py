"""Dialogues with citizens (đối thoại) held for a case."""
