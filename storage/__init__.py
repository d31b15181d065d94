"""planbot storage package."""
