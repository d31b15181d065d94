"""planbot bot package."""
