"""Duty periods, shifts and assignments: who is on duty when."""
