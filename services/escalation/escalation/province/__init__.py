"""Requests of the provincial reception office to bring the district's citizens home."""
