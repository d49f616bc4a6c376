"""Reports: complex and prolonged cases (CSV, XLSX) and the daily situation summary."""
