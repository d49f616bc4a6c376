"""The gateway's version (kept out of ``__init__`` on purpose: see there)."""

__version__ = "0.1.0"
