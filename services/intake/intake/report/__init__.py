"""Exports (CSV, XLSX) and Vietnamese labels for the register and the petitions book."""
