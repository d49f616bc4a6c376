"""The Plan 363/KH-TTCP list of complex, prolonged cases: entries, their history and the province's form."""
