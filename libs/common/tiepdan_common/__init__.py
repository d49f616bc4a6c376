"""Shared infrastructure for the tiepdan services (configuration, logging, messaging, identity)."""

__version__ = "0.1.0"
