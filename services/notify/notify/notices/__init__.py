"""Notices and reports the board sends to a distribution list, with proof of who got them."""
