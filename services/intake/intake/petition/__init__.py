"""Petitions (đơn): registration, splitting, repeats, handling decisions and legal deadlines."""
