"""Escalation policies (chính sách leo thang): ordered steps as data, timers in the database."""
