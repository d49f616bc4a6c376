"""Alerts for the police: cases flagged as affecting public order."""
