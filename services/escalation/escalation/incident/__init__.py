"""Public-order incidents reported by the police near reception sites."""
