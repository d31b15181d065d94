"""Builders for the loader's test documents: small PDFs and Word files made in the test, not committed."""
