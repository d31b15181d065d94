"""Readers that turn the bytes of one format into plain text: text, docx, pdf, html, legacy Word/WPS.

Each reader is a pure function of bytes (no files kept, no database); `ingest.load` picks the reader and
`ingest.formats.fetch` brings bytes from a URL.
"""
