"""Who was told about a case: every message about it, to whom, over which channel, and when."""
