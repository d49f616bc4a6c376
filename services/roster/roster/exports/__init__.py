"""Exports of the roster: iCalendar feeds behind secret links, XLSX, a printable page in Vietnamese."""
