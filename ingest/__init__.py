"""planbot ingest package."""
