"""planbot handlers package."""
