"""Reference data with effective dates: administrative units, fields, legal rules, holidays."""
