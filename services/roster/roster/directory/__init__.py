"""Agencies and officers, with their contact channels."""
