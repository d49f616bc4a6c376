"""Who must be told: asked of roster, with a fallback when roster does not answer."""
