"""Acknowledgement in any channel: the inbox, an SMS code, an email link; it stops the escalation."""
